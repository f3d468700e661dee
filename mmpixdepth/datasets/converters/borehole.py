"""Ultrasonic borehole image logs -> the ``BoreholeDataset`` layout.

An ultrasonic imager records, at every depth sample, one amplitude and one transit time per
azimuth bin around the hole. A log is kept as ``(N, A)`` arrays: row ``i`` at depth
``depth_m[i]`` (increasing, i.e. downhole is down in the image), column ``k`` covering the
azimuths ``[k, k + 1) * 360 / A`` degrees clockwise from the reference of column 0 (north
when a reference-azimuth channel orients the log). Laid out like this, the borehole wall is
"unwrapped" into an image.

Logs are read from DLIS files with dlisio (:func:`read_dlis_image_log`, an optional
dependency) or built from arrays (:func:`image_log_from_arrays`). Breakout picks are a CSV
file with the header ``well,top,bottom,azimuth,width``: the depth interval in metres and the
centre azimuth and opening angle in degrees, one line per breakout (list both sides of a
pair). Output (tiles of ``tile_height`` rows along depth, ``overlap`` rows shared by
neighbours)::

    OUT/amplitude/SPLIT/WELL_NNNNN.png     8-bit grey, the well's amplitude range -> 0..255
    OUT/transit_time/SPLIT/WELL_NNNNN.tif  float32 transit time (channel units), 0 = missing
    OUT/breakout/SPLIT/WELL_NNNNN.png      0 background, 1 breakout, 255 no amplitude
    OUT/tiles.csv                          split, name, well, top_m, bottom_m, amplitude range

``SPLIT`` is train or val (wells with picks, split by well) or unlabelled (wells without
picks: no breakout masks), for pretraining.
"""
import csv
import os
import os.path as osp
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence

import mmcv
import numpy as np

from mmpixdepth.fileio import write_depth_tiff
from mmpixdepth.utils.progress import progress as track

#: Depth-index units of well logs and their size in metres.
DEPTH_UNITS_TO_M = {'m': 1.0, 'cm': 0.01, 'mm': 0.001, 'ft': 0.3048, 'f': 0.3048,
                    'in': 0.0254, '0.1 in': 0.00254}
#: Values that well-log files use for "no value".
DEFAULT_ABSENT_VALUES = (-999.25, -9999.0)
PICK_COLUMNS = ('well', 'top', 'bottom', 'azimuth', 'width')
LABELLED_SPLITS = ('train', 'val')
UNLABELLED_SPLIT = 'unlabelled'
IGNORE_INDEX = 255
TILE_INDEX = 'tiles.csv'
TILE_COLUMNS = ('split', 'name', 'well', 'top_m', 'bottom_m', 'amplitude_low', 'amplitude_high')


@dataclass
class ImageLog:
    """One well's image log: ``depth_m`` ``(N,)`` strictly increasing, ``amplitude`` and
    ``transit_time`` float32 ``(N, A)`` with NaN where missing, ``transit_units`` the units of
    the transit time."""
    well: str
    depth_m: np.ndarray
    amplitude: np.ndarray
    transit_time: np.ndarray
    transit_units: str = ''


def orient_to_north(image: np.ndarray, reference_azimuth: np.ndarray) -> np.ndarray:
    """Rotate each row so that column 0 points north.

    Args:
        image: ``(N, A)``; column 0 of row ``i`` lies at ``reference_azimuth[i]`` degrees.
        reference_azimuth: ``(N,)`` degrees clockwise from north.

    Returns:
        np.ndarray: ``(N, A)`` with column ``k`` at ``k * 360 / A`` degrees from north.
    """
    num_bins = image.shape[1]
    shift = np.round(np.asarray(reference_azimuth, np.float64) * num_bins / 360).astype(np.int64)
    columns = (np.arange(num_bins)[None, :] - shift[:, None]) % num_bins
    return image[np.arange(image.shape[0])[:, None], columns]


def image_log_from_arrays(well: str, depth: np.ndarray, amplitude: np.ndarray,
                          transit_time: np.ndarray, depth_units: str = 'm',
                          reference_azimuth: Optional[np.ndarray] = None,
                          absent_values: Sequence[float] = DEFAULT_ABSENT_VALUES,
                          transit_units: str = '') -> ImageLog:
    """Build an :class:`ImageLog` from the channels of a log.

    Args:
        well: Well name (used in the tile names).
        depth: ``(N,)`` depth index in ``depth_units``, strictly increasing or decreasing.
        amplitude, transit_time: ``(N, A)`` image channels; ``absent_values``, NaN, inf (and
            transit times <= 0) are missing.
        depth_units: A key of :data:`DEPTH_UNITS_TO_M`.
        reference_azimuth: ``(N,)`` azimuth of column 0 in degrees from north; when given,
            the images are oriented to north (:func:`orient_to_north`).
        absent_values: Values meaning "no value". Defaults to (-999.25, -9999).
        transit_units: Units of the transit time, recorded only.
    """
    depth = np.asarray(depth, np.float64)
    amplitude = np.asarray(amplitude, np.float32)
    transit_time = np.asarray(transit_time, np.float32)
    if depth.ndim != 1 or amplitude.ndim != 2 or amplitude.shape[0] != depth.size:
        raise ValueError(f'well {well}: depth {depth.shape} and amplitude {amplitude.shape} are '
                         'not (N,) and (N, A)')
    if transit_time.shape != amplitude.shape:
        raise ValueError(f'well {well}: transit time {transit_time.shape} and amplitude '
                         f'{amplitude.shape} differ in shape')
    units = depth_units.strip().lower()
    if units not in DEPTH_UNITS_TO_M:
        raise ValueError(f'well {well}: unknown depth units {depth_units!r}; known: '
                         f'{", ".join(DEPTH_UNITS_TO_M)}')
    depth_m = depth * DEPTH_UNITS_TO_M[units]
    steps = np.diff(depth_m)
    if depth.size < 2 or not (np.all(steps > 0) or np.all(steps < 0)):
        raise ValueError(f'well {well}: the depth index is not strictly monotonic')
    images = []
    for image in (amplitude, transit_time):
        missing = ~np.isfinite(image) | np.isin(image, np.asarray(absent_values, np.float32))
        images.append(np.where(missing, np.nan, image).astype(np.float32))
    images[1][images[1] <= 0] = np.nan
    if reference_azimuth is not None:
        reference_azimuth = np.asarray(reference_azimuth, np.float64)
        if reference_azimuth.shape != depth.shape or not np.all(np.isfinite(reference_azimuth)):
            raise ValueError(f'well {well}: the reference azimuth must be finite, shape '
                             f'{depth.shape}')
        images = [orient_to_north(image, reference_azimuth) for image in images]
    if steps[0] < 0:
        depth_m, images = depth_m[::-1], [image[::-1] for image in images]
    return ImageLog(well, np.ascontiguousarray(depth_m), np.ascontiguousarray(images[0]),
                    np.ascontiguousarray(images[1]), transit_units)


def _load_dlis(path: str):
    """The logical files of a DLIS file (``dlisio.dlis.load``), with clear errors."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'DLIS file not found: {path}')
    try:
        from dlisio import dlis
    except ImportError:
        raise ImportError('reading DLIS files needs dlisio: pip install dlisio (or '
                          'pip install -e ".[borehole]")') from None
    try:
        return dlis.load(path)
    except Exception as error:
        raise ValueError(f'{path} is not a readable DLIS file: {error}') from error


def list_dlis_channels(path: str) -> List[dict]:
    """Every channel of every frame of a DLIS file: ``frame``, ``index`` (name of the index
    channel), ``channel``, ``dimension``, ``units``, ``long_name``."""
    rows = []
    with _load_dlis(path) as files:
        for logical in files:
            for frame in logical.frames:
                for channel in frame.channels:
                    rows.append(dict(frame=frame.name, index=frame.index, channel=channel.name,
                                     dimension=list(channel.dimension), units=channel.units,
                                     long_name=str(channel.long_name or '')))
    return rows


def read_dlis_image_log(path: str, amplitude: str, transit_time: str,
                        reference_azimuth: Optional[str] = None, well: Optional[str] = None,
                        absent_values: Sequence[float] = DEFAULT_ABSENT_VALUES) -> ImageLog:
    """The image log of the first DLIS frame that holds both named image channels.

    The frame's index (its first channel) must be a depth with units of
    :data:`DEPTH_UNITS_TO_M`. ``well`` defaults to the file name without suffix.
    """
    well = well or osp.splitext(osp.basename(path))[0]
    wanted = [amplitude, transit_time] + ([reference_azimuth] if reference_azimuth else [])
    with _load_dlis(path) as files:
        for logical in files:
            for frame in logical.frames:
                channels = {channel.name: channel for channel in frame.channels}
                if not all(name in channels for name in wanted):
                    continue
                if frame.index_type is None or 'DEPTH' not in str(frame.index_type).upper():
                    raise ValueError(f'{path}: frame {frame.name} is indexed by '
                                     f'{frame.index_type or "frame number"}, not by depth')
                curves = frame.curves()
                index = frame.channels[0]
                values = [curves[channels[name].fingerprint] for name in wanted]
                for name, value in zip(wanted[:2], values[:2]):
                    if value.ndim != 2:
                        raise ValueError(f'{path}: channel {name} has dimension '
                                         f'{list(channels[name].dimension)}; an image channel '
                                         'has one value per azimuth bin')
                return image_log_from_arrays(
                    well, curves[index.fingerprint], values[0], values[1], index.units or '',
                    values[2] if reference_azimuth else None, absent_values,
                    channels[transit_time].units or '')
    raise ValueError(f'{path}: no frame holds all of the channels {", ".join(wanted)}; list the '
                     'channels with --list-channels')


def read_picks(path: str) -> Dict[str, np.ndarray]:
    """Breakout picks by well: float64 ``(P, 4)`` rows of top and bottom depth (m), centre
    azimuth and opening angle (degrees)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'breakout picks not found: {path}')
    picks: Dict[str, list] = {}
    with open(path, newline='', encoding='utf-8') as file:
        reader = csv.DictReader(file)
        if tuple(reader.fieldnames or ()) != PICK_COLUMNS:
            raise ValueError(f'{path}: the header is {reader.fieldnames}; expected '
                             f'{",".join(PICK_COLUMNS)}')
        for line, row in enumerate(reader, start=2):
            try:
                values = [float(row[name]) for name in PICK_COLUMNS[1:]]
            except (TypeError, ValueError):
                raise ValueError(f'{path} line {line}: top, bottom, azimuth and width must be '
                                 f'numbers, got {row}') from None
            top, bottom, _, width = values
            if not (np.all(np.isfinite(values)) and top < bottom and 0 < width <= 360):
                raise ValueError(f'{path} line {line}: need finite values, top < bottom and '
                                 f'0 < width <= 360, got {row}')
            picks.setdefault(row['well'].strip(), []).append(values)
    return {well: np.array(rows, np.float64) for well, rows in picks.items()}


def breakout_mask(log: ImageLog, picks: np.ndarray) -> tuple:
    """Label image of a log: 1 inside a pick, 0 elsewhere, 255 where amplitude is missing.

    A pixel is inside a pick when its depth lies in ``[top, bottom]`` and the centre azimuth
    of its column is within half the opening angle of the pick's azimuth (around 360).

    Returns:
        tuple: uint8 ``(N, A)`` mask and the number of picks outside the logged depths.
    """
    num_bins = log.amplitude.shape[1]
    centres = (np.arange(num_bins) + 0.5) * 360 / num_bins
    mask = np.zeros(log.amplitude.shape, np.uint8)
    outside = 0
    for top, bottom, azimuth, width in picks:
        first = np.searchsorted(log.depth_m, top, side='left')
        last = np.searchsorted(log.depth_m, bottom, side='right')
        if first >= last:
            outside += 1
            continue
        offset = np.abs((centres - azimuth + 180) % 360 - 180)
        mask[first:last, offset <= width / 2] = 1
    mask[np.isnan(log.amplitude)] = IGNORE_INDEX
    return mask, outside


def tile_starts(num_rows: int, height: int, overlap: int) -> np.ndarray:
    """First rows of the tiles: every ``height - overlap`` rows, the last tile ending at the
    last row; empty when the log is shorter than a tile."""
    if not 0 <= overlap < height:
        raise ValueError(f'need 0 <= overlap < tile height, got {overlap} and {height}')
    if num_rows < height:
        return np.zeros(0, np.int64)
    starts = np.arange(0, num_rows - height + 1, height - overlap)
    if starts[-1] + height < num_rows:
        starts = np.append(starts, num_rows - height)
    return starts


def amplitude_range(amplitude: np.ndarray, percentiles=(1, 99)) -> tuple:
    """Robust ``(low, high)`` of the valid amplitudes (the given percentiles)."""
    valid = amplitude[np.isfinite(amplitude)]
    if not valid.size:
        raise ValueError('the amplitude image has no valid value')
    low, high = (float(value) for value in np.percentile(valid, percentiles))
    return (low, high) if high > low else (low, low + 1.0)


def amplitude_to_uint8(amplitude: np.ndarray, value_range: tuple) -> np.ndarray:
    """``value_range`` -> 0..255 (clipped), missing -> 0."""
    low, high = value_range
    scaled = np.clip((np.nan_to_num(amplitude, nan=low) - low) / (high - low), 0, 1)
    return np.round(scaled * 255).astype(np.uint8)


def split_wells(wells: Sequence[str], val_wells: Optional[Sequence[str]] = None,
                val_fraction: float = 0.2, seed: int = 0) -> Dict[str, str]:
    """Train or val for each well: the named ``val_wells``, else a seeded ``val_fraction`` of
    them (at least one when there are two wells or more)."""
    wells = sorted(wells)
    if val_wells is not None:
        unknown = sorted(set(val_wells) - set(wells))
        if unknown:
            raise ValueError(f'validation wells {unknown} are not among the labelled wells '
                             f'{wells}')
        chosen = set(val_wells)
    else:
        count = int(round(val_fraction * len(wells)))
        if len(wells) > 1 and val_fraction > 0:
            count = min(max(count, 1), len(wells) - 1)
        order = np.random.default_rng(seed).permutation(len(wells))
        chosen = {wells[i] for i in order[:count]}
    return {well: 'val' if well in chosen else 'train' for well in wells}


def write_well_tiles(log: ImageLog, out_dir: str, split: str, tile_height: int = 256,
                     overlap: int = 64, mask: Optional[np.ndarray] = None,
                     value_range: Optional[tuple] = None, max_missing: float = 0.5) -> List[dict]:
    """Write the tiles of one log; tiles with more than ``max_missing`` of the amplitude
    missing are skipped. Returns one row of ``tiles.csv`` per tile written."""
    if not np.isfinite(log.amplitude).any():
        raise ValueError(f'well {log.well}: the amplitude channel has no valid value')
    value_range = value_range or amplitude_range(log.amplitude)
    amplitude = amplitude_to_uint8(log.amplitude, value_range)
    transit = np.nan_to_num(log.transit_time, nan=0.0)
    missing = np.isnan(log.amplitude)
    rows = []
    for number, start in enumerate(tile_starts(len(log.depth_m), tile_height, overlap)):
        window = slice(start, start + tile_height)
        if missing[window].mean() > max_missing:
            continue
        name = f'{log.well}_{number:05d}'
        mmcv.imwrite(amplitude[window], osp.join(out_dir, 'amplitude', split, name + '.png'))
        write_depth_tiff(osp.join(out_dir, 'transit_time', split, name + '.tif'),
                         transit[window])
        if mask is not None:
            mmcv.imwrite(mask[window], osp.join(out_dir, 'breakout', split, name + '.png'))
        rows.append(dict(zip(TILE_COLUMNS, (split, name, log.well, log.depth_m[start],
                                            log.depth_m[start + tile_height - 1],
                                            *value_range))))
    return rows


def convert_image_logs(loaders: Mapping[str, Callable[[], ImageLog]], out_dir: str,
                       picks: Optional[Dict[str, np.ndarray]] = None,
                       val_wells: Optional[Sequence[str]] = None, val_fraction: float = 0.2,
                       seed: int = 0, tile_height: int = 256, overlap: int = 64,
                       value_range: Optional[tuple] = None, max_missing: float = 0.5,
                       progress: bool = True) -> dict:
    """Tile every well and write ``tiles.csv``.

    Args:
        loaders: Well name -> a function returning its :class:`ImageLog` (called one well
            at a time, so only one log is in memory).
        picks: :func:`read_picks` output; wells with picks are labelled and split into train
            and val by well (:func:`split_wells`), the others go to ``unlabelled``.
        value_range: Amplitude mapped to 0..255 for every well; default: each well's 1st to
            99th percentile.

    Returns:
        dict: per split the tile count; ``skipped`` (wells shorter than a tile),
        ``picks_outside`` (picks outside their well's logged depths by well) and
        ``unknown_pick_wells`` (wells of the picks that have no log).
    """
    picks = picks or {}
    unknown = sorted(set(picks) - set(loaders))
    splits = split_wells([well for well in loaders if well in picks], val_wells, val_fraction,
                         seed)
    summary = dict(tiles={}, skipped=[], picks_outside={}, unknown_pick_wells=unknown)
    rows = []
    for well in track(sorted(loaders), progress):
        log = loaders[well]()
        mask = None
        if well in picks:
            mask, outside = breakout_mask(log, picks[well])
            if outside:
                summary['picks_outside'][well] = outside
        split = splits.get(well, UNLABELLED_SPLIT)
        written = write_well_tiles(log, out_dir, split, tile_height, overlap, mask, value_range,
                                   max_missing)
        if not written:
            summary['skipped'].append(well)
        rows += written
        summary['tiles'][split] = summary['tiles'].get(split, 0) + len(written)
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, TILE_INDEX), 'w', newline='', encoding='utf-8') as file:
        writer = csv.DictWriter(file, fieldnames=TILE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return summary
