"""One figure and one line of value ranges per dataset sample, to check converted data
(``tools/misc/browse_dataset.py``): the image, the depth map with invalid pixels marked and a
colour bar in depth units, and the labels over the image with a key of the class colours.
Images are BGR uint8."""
import math
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .drawing import (Color, blend, class_key, colorbar, colorize, gray, side_by_side, stacked,
                      titled)

INVALID_COLOR = (255, 0, 255)  #: magenta (BGR), for invalid depth
IGNORE_COLOR = (0, 0, 0)  #: black, for ignored label pixels
ALL_CLASSES_UP_TO = 8  #: the key lists every class of a dataset with at most this many


def _to_height(img: np.ndarray, height: int, interpolation: int) -> np.ndarray:
    width = max(1, round(img.shape[1] * height / img.shape[0]))
    return cv2.resize(img, (width, height), interpolation=interpolation)


def _color_table(palette: Optional[Sequence[Sequence[int]]], ignore_index: int) -> np.ndarray:
    """BGR colour of each label value 0..255: ``palette`` (RGB, index = class), fixed random
    colours for the values it lacks, black for ``ignore_index``."""
    table = np.random.default_rng(0).integers(0, 256, (256, 3)).astype(np.uint8)
    if palette:
        table[:len(palette)] = np.asarray(palette, np.uint8)[:, ::-1]
    table[ignore_index] = IGNORE_COLOR
    return table


def label_colors(label: np.ndarray, palette: Optional[Sequence[Sequence[int]]] = None,
                 ignore_index: int = 255) -> np.ndarray:
    """Colour a label map with an RGB ``palette`` (index = class; fixed random colours for the
    indices it lacks); ignored pixels are black. Returns BGR uint8 ``(H, W, 3)``."""
    return _color_table(palette, ignore_index)[np.minimum(label, 255)]


def fixed_point(values: Sequence[float]) -> List[str]:
    """``values`` in fixed-point notation (never ``1.477e+03``), all with the decimals that
    suit the range from the first to the last: none when both are whole numbers, else enough
    to show about three significant digits of their difference (``0.53``, ``2.41``)."""
    low, high = float(values[0]), float(values[-1])
    span = abs(high - low) or abs(high) or 1.0
    decimals = 0 if low.is_integer() and high.is_integer() else min(
        max(2 - math.floor(math.log10(span)), 0), 6)
    return [f'{value:.{decimals}f}' for value in values]


def depth_summary(depth: np.ndarray, unit: str) -> str:
    """``'min..max [UNIT], N% invalid'`` of a depth map with NaN for invalid pixels."""
    valid = np.isfinite(depth)
    share = 100 * (1 - valid.mean())
    if not valid.any():
        return f'no valid pixel ({share:.1f}% invalid)'
    low, high = fixed_point([depth[valid].min(), depth[valid].max()])
    return f'{low}..{high} [{unit}], {share:.1f}% invalid'


def _class_name(index: int, classes: Optional[Sequence[str]]) -> str:
    return classes[index] if classes and index < len(classes) else f'{index} (no class)'


def _percent(share: float) -> str:
    return f'{share:.0f}%' if share >= 1 or share == 0 else '<1%'


def label_summary(label: np.ndarray, classes: Optional[Sequence[str]],
                  ignore_index: int = 255) -> str:
    """Every class present, by decreasing share of pixels, and the ignored share."""
    ids, counts = np.unique(label, return_counts=True)
    shares = {int(i): 100 * c / label.size for i, c in zip(ids, counts)}
    ignored = shares.pop(ignore_index, 0.0)
    named = sorted(shares.items(), key=lambda item: -item[1])
    words = [f'{_class_name(i, classes)} {_percent(share)}' for i, share in named]
    return f'{len(shares)} classes ({", ".join(words)}), {ignored:.1f}% ignored'


def key_entries(label: np.ndarray, classes: Optional[Sequence[str]],
                palette: Optional[Sequence[Sequence[int]]] = None,
                ignore_index: int = 255) -> List[Tuple[Color, str]]:
    """``(BGR colour, 'name share%')`` of the classes present in ``label``, in class order
    (every class when the dataset has at most :data:`ALL_CLASSES_UP_TO`), then label values
    that are no class, then the ignored pixels when there are any."""
    ids, counts = np.unique(label, return_counts=True)
    shares = {int(i): 100 * c / label.size for i, c in zip(ids, counts)}
    ignored = shares.pop(ignore_index, None)
    shown = set(shares)
    if classes and len(classes) <= ALL_CLASSES_UP_TO:
        shown |= set(range(len(classes)))
    table = _color_table(palette, ignore_index)
    entries = [(tuple(int(c) for c in table[i]),
                f'{_class_name(i, classes)} {_percent(shares.get(i, 0.0))}')
               for i in sorted(shown)]
    if ignored is not None:
        entries.append((IGNORE_COLOR, f'ignored ({ignore_index}) {_percent(ignored)}'))
    return entries


def sample_title(index: int, name: str, gt_label: Optional[int] = None,
                 classes: Optional[Sequence[str]] = None) -> str:
    """``'[index] name'``, with ``': class NAME (k)'`` for a classification sample."""
    if gt_label is None:
        return f'[{index}] {name}'
    return f'[{index}] {name}: class {_class_name(int(gt_label), classes)} ({int(gt_label)})'


def _depth_panel(depth: np.ndarray, height: int, unit: str) -> np.ndarray:
    """Depth (viridis over its valid range, invalid magenta), titled, over its colour bar."""
    valid = depth[np.isfinite(depth)]
    low, high = (float(valid.min()), float(valid.max())) if valid.size else (0.0, 1.0)
    high = high if high > low else low + 1
    picture = _to_height(colorize(depth, low, high, nan_color=INVALID_COLOR), height,
                         cv2.INTER_NEAREST)
    ticks = fixed_point([low, (low + high) / 2, high])
    return stacked([
        titled(picture, [f'depth [{unit}], invalid: magenta', depth_summary(depth, unit)]),
        colorbar(picture.shape[1], [*ticks[:2], f'{ticks[2]} [{unit}]'])
    ])


def sample_figure(img: np.ndarray, depth: Optional[np.ndarray] = None,
                  label: Optional[np.ndarray] = None, palette: Optional[Sequence] = None,
                  classes: Optional[Sequence[str]] = None, title: str = '', height: int = 320,
                  ignore_index: int = 255, depth_unit: str = 'file units x 1') -> np.ndarray:
    """Panels side by side, each scaled to ``height`` rows under a 2-line title: the image, the
    depth (viridis over its valid range, invalid pixels magenta) over a colour bar of that range
    in ``depth_unit``, and the labels blended over the grey image (``palette`` colours, ignored
    pixels black) over a key of the classes (:func:`key_entries`). Shorter panels are padded
    with black at the bottom.

    Args:
        img: BGR uint8 ``(H, W, 3)`` (a grey ``(H, W)`` image is drawn as grey).
        depth: float ``(H, W)`` in ``depth_unit``, NaN where invalid.
        label: uint8 ``(H, W)`` class indices.
        title: first title line of the image panel, e.g. :func:`sample_title`.
    """
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    panels = [titled(_to_height(img, height, cv2.INTER_AREA),
                     [title, f'image {img.shape[1]}x{img.shape[0]}'])]
    if depth is not None:
        panels.append(_depth_panel(depth, height, depth_unit))
    if label is not None:
        colours = label_colors(label, palette, ignore_index)
        picture = _to_height(
            np.where((label == ignore_index)[..., None], colours,
                     blend(gray(img), colours, 0.6)), height, cv2.INTER_NEAREST)
        panels.append(stacked([
            titled(picture, ['labels (colours: key below)',
                             f'{len(np.unique(label[label != ignore_index]))} classes, '
                             f'{100 * (label == ignore_index).mean():.1f}% ignored']),
            class_key(key_entries(label, classes, palette, ignore_index), picture.shape[1])
        ]))
    return side_by_side(panels, pad=True)
