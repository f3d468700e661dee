"""ScanNet -> the ``ScanNetFramesDataset`` layout (that of ``scannet_frames_25k``).

**.sens files** (ScanNet's SensReader format, version 4, little endian)::

    header  uint32 version (4) | uint64 n | n bytes sensor name
            4 x float32[16]: colour intrinsics, colour extrinsics, depth intrinsics,
                             depth extrinsics (4x4, row-major)
            int32 colour compression (-1 unknown, 0 raw, 1 png, 2 jpeg)
            int32 depth compression (-1 unknown, 0 raw uint16, 1 zlib uint16, 2 occi)
            uint32 colour width, colour height, depth width, depth height
            float32 depth shift (stored value = metres x shift, typically 1000)
            uint64 number of frames
    frame   float32[16] camera-to-world pose | uint64 colour timestamp | uint64 depth timestamp
            uint64 colour bytes | uint64 depth bytes | colour data | depth data
    then    uint64 number of IMU frames and the IMU frames (not read)

**2D labels**: ``SCENE_2d-label-filt.zip`` holds ``label-filt/FRAME.png``, 16-bit ScanNet label
ids (0 = unannotated) of every frame. ``scannetv2-labels.combined.tsv`` (tab-separated, a
header line) maps the ``id`` column to ``nyu40id``; the dataset class maps the NYU40 ids to
the 20 benchmark classes (``SCANNET20_NYU40_IDS``).

Output per scene (frames named by their six-digit frame number)::

    OUT/SCENE/color/NNNNNN.jpg   RGB resized to the depth size (640x480)
    OUT/SCENE/depth/NNNNNN.png   16-bit millimetres, 0 = missing
    OUT/SCENE/label/NNNNNN.png   8-bit NYU40 ids, 0 = unannotated (when the label zip exists)
    OUT/SCENE/pose/NNNNNN.txt    4x4 camera-to-world matrix
    OUT/SCENE/intrinsics_color.txt, intrinsics_depth.txt   4x4, for the written size
    OUT/scannetv2_{train,val}.txt                           the scenes written, split order
"""
import contextlib
import csv
import os
import os.path as osp
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence

import cv2
import mmcv
import numpy as np

from mmpixdepth.datasets.nyuv2 import NYU40_CLASSES
from mmpixdepth.fileio import write_depth_png16
from mmpixdepth.utils.progress import progress as track
from .depth_units import metres_to_mm

SENS_VERSION = 4
COLOR_COMPRESSION = {-1: 'unknown', 0: 'raw', 1: 'png', 2: 'jpeg'}
DEPTH_COMPRESSION = {-1: 'unknown', 0: 'raw_ushort', 1: 'zlib_ushort', 2: 'occi_ushort'}
_MATRICES = struct.Struct('<64f')
_FORMATS = struct.Struct('<iiIIIIfQ')
_FRAME = struct.Struct('<16fQQQQ')
LABEL_MEMBER_DIR = 'label-filt'
SPLITS = ('train', 'val')


@dataclass
class SensHeader:
    """The header of a .sens file; sizes are ``(width, height)``, matrices 4x4 float32."""
    sensor_name: str
    intrinsic_color: np.ndarray
    extrinsic_color: np.ndarray
    intrinsic_depth: np.ndarray
    extrinsic_depth: np.ndarray
    color_compression: str
    depth_compression: str
    color_size: tuple
    depth_size: tuple
    depth_shift: float
    num_frames: int


@dataclass
class SensFrame:
    """One frame: its number, pose (4x4 camera-to-world), timestamps and encoded data."""
    index: int
    camera_to_world: np.ndarray
    timestamp_color: int
    timestamp_depth: int
    color_data: bytes
    depth_data: bytes


class SensReader:
    """Reads the header of a .sens file, then its frames one by one (skipped frames are
    seeked over, not read). Errors name the file and what is wrong.

    Use as a context manager; :meth:`frames` yields :class:`SensFrame`, :meth:`decode_color`
    and :meth:`decode_depth` decode them.
    """

    def __init__(self, path: str):
        if not osp.isfile(path):
            raise FileNotFoundError(f'.sens file not found: {path}')
        self.path = path
        self.size = osp.getsize(path)
        self.file = open(path, 'rb')
        try:
            self.header = self._read_header()
        except Exception:
            self.file.close()
            raise

    def _read(self, size: int, what: str) -> bytes:
        data = self.file.read(size)
        if len(data) != size:
            raise ValueError(f'{self.path} is truncated: {what} needs {size} bytes at offset '
                             f'{self.file.tell() - len(data)}, {len(data)} remain')
        return data

    def _read_header(self) -> SensHeader:
        version, name_length = struct.unpack('<IQ', self._read(12, 'the header'))
        if version != SENS_VERSION:
            raise ValueError(f'{self.path}: .sens version {version}, expected {SENS_VERSION} '
                             '(is this a ScanNet .sens file?)')
        if name_length > min(self.size, 4096):
            raise ValueError(f'{self.path}: sensor name length {name_length} is not plausible '
                             '(corrupt header)')
        name = self._read(name_length, 'the sensor name').decode('utf-8', errors='replace')
        matrices = np.array(_MATRICES.unpack(self._read(_MATRICES.size, 'the calibration')),
                            np.float32).reshape(4, 4, 4)
        (color_type, depth_type, color_w, color_h, depth_w, depth_h, shift,
         num_frames) = _FORMATS.unpack(self._read(_FORMATS.size, 'the header'))
        if COLOR_COMPRESSION.get(color_type) not in ('raw', 'png', 'jpeg'):
            raise ValueError(f'{self.path}: unsupported colour compression {color_type} '
                             f'(known: {COLOR_COMPRESSION})')
        if DEPTH_COMPRESSION.get(depth_type) not in ('raw_ushort', 'zlib_ushort'):
            raise ValueError(f'{self.path}: unsupported depth compression {depth_type} '
                             f'(supported: 0 raw_ushort, 1 zlib_ushort)')
        if min(color_w, color_h, depth_w, depth_h) == 0:
            raise ValueError(f'{self.path}: colour {color_w}x{color_h} or depth '
                             f'{depth_w}x{depth_h} has a zero side')
        if not np.isfinite(shift) or shift <= 0:
            raise ValueError(f'{self.path}: depth shift {shift} must be positive')
        if num_frames * _FRAME.size > self.size - self.file.tell():
            raise ValueError(f'{self.path}: {num_frames} frames announced but the file holds '
                             f'{self.size} bytes (truncated or corrupt)')
        return SensHeader(name, *matrices, COLOR_COMPRESSION[color_type],
                          DEPTH_COMPRESSION[depth_type], (color_w, color_h), (depth_w, depth_h),
                          float(shift), num_frames)

    def frames(self, every: int = 1) -> Iterator[SensFrame]:
        """Frames ``0, every, 2 * every, ...``, read from the start of the frame data."""
        if every < 1:
            raise ValueError(f'every must be >= 1, got {every}')
        for index in range(self.header.num_frames):
            values = _FRAME.unpack(self._read(_FRAME.size, f'frame {index}'))
            color_bytes, depth_bytes = values[18:]
            if color_bytes + depth_bytes > self.size - self.file.tell():
                raise ValueError(f'{self.path}: frame {index} announces {color_bytes} colour '
                                 f'and {depth_bytes} depth bytes, more than the file holds')
            if index % every:
                self.file.seek(color_bytes + depth_bytes, os.SEEK_CUR)
                continue
            pose = np.array(values[:16], np.float32).reshape(4, 4)
            yield SensFrame(index, pose, values[16], values[17],
                            self._read(color_bytes, f'frame {index} colour'),
                            self._read(depth_bytes, f'frame {index} depth'))

    def decode_color(self, frame: SensFrame) -> np.ndarray:
        """BGR uint8 ``(H, W, 3)`` at the header's colour size."""
        width, height = self.header.color_size
        where = f'{self.path} frame {frame.index}'
        if self.header.color_compression == 'raw':
            if len(frame.color_data) != width * height * 3:
                raise ValueError(f'{where}: {len(frame.color_data)} raw colour bytes, expected '
                                 f'{width}x{height}x3')
            rgb = np.frombuffer(frame.color_data, np.uint8).reshape(height, width, 3)
            return np.ascontiguousarray(rgb[..., ::-1])
        bgr = mmcv.imfrombytes(frame.color_data, flag='color', backend='cv2')
        if bgr is None:
            raise ValueError(f'{where}: the {self.header.color_compression} colour image cannot '
                             'be decoded')
        if bgr.shape[:2] != (height, width):
            raise ValueError(f'{where}: colour image is {bgr.shape[1]}x{bgr.shape[0]}, the header '
                             f'says {width}x{height}')
        return bgr

    def decode_depth(self, frame: SensFrame) -> np.ndarray:
        """uint16 ``(H, W)`` raw depth (metres x depth shift, 0 = missing)."""
        width, height = self.header.depth_size
        where = f'{self.path} frame {frame.index}'
        data = frame.depth_data
        expected = width * height * 2
        if self.header.depth_compression == 'zlib_ushort':
            try:  # never more than the header's size (+1 byte to notice more) is allocated
                data = zlib.decompressobj().decompress(data, expected + 1)
            except zlib.error as error:
                raise ValueError(f'{where}: depth is not a zlib stream: {error}') from None
            if len(data) > expected:
                raise ValueError(f'{where}: depth decompresses to more than the {width}x{height} '
                                 f'uint16 ({expected} bytes) of the header; refused before '
                                 'decompressing the rest')
        if len(data) != expected:
            raise ValueError(f'{where}: depth has {len(data)} bytes, expected {width}x{height} '
                             'uint16')
        return np.frombuffer(data, '<u2').reshape(height, width)

    def close(self) -> None:
        self.file.close()



def read_label_table(path: str, label_from: str = 'id', label_to: str = 'nyu40id') -> np.ndarray:
    """Look-up table of ``scannetv2-labels.combined.tsv``: ScanNet label id -> NYU40 id.

    Returns:
        np.ndarray: int16 ``(max_id + 1,)``; ``lut[0] = 0`` (unannotated), -1 for ids that
        the table does not list.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'label table not found: {path}')
    with open(path, newline='', encoding='utf-8') as file:
        reader = csv.DictReader(file, delimiter='\t')
        columns = reader.fieldnames or []
        missing = [name for name in (label_from, label_to) if name not in columns]
        if missing:
            raise ValueError(f'{path} has no column {", ".join(missing)} (columns: '
                             f'{", ".join(columns) or "none"}); expected ScanNet\'s '
                             'scannetv2-labels.combined.tsv')
        pairs = {}
        for line, row in enumerate(reader, start=2):
            try:
                key, value = int(row[label_from]), int(row[label_to])
            except (TypeError, ValueError):
                raise ValueError(f'{path} line {line}: {label_from}={row[label_from]!r}, '
                                 f'{label_to}={row[label_to]!r} are not integers') from None
            if key < 1 or key in pairs:
                raise ValueError(f'{path} line {line}: {label_from} {key} is not a new id >= 1')
            if not 0 <= value <= len(NYU40_CLASSES):
                raise ValueError(f'{path} line {line}: {label_to} {value} is outside '
                                 f'0..{len(NYU40_CLASSES)}')
            pairs[key] = value
    if not pairs:
        raise ValueError(f'{path} lists no label')
    lut = np.full(max(pairs) + 1, -1, np.int16)
    lut[0] = 0
    lut[list(pairs)] = list(pairs.values())
    return lut


def map_labels(label_ids: np.ndarray, lut: np.ndarray, where: str) -> np.ndarray:
    """ScanNet label ids -> uint8 NYU40 ids; an id the table lacks is an error naming it."""
    in_table = label_ids < lut.size
    nyu40 = np.where(in_table, lut[np.where(in_table, label_ids, 0)], -1)
    if np.any(nyu40 < 0):
        unknown = np.unique(label_ids[nyu40 < 0])
        raise ValueError(f'{where}: label ids {unknown.tolist()[:10]} are not in the label table')
    return nyu40.astype(np.uint8)


class LabelZip:
    """The 16-bit label images of a ``*_2d-label-filt.zip``, by frame number (read in memory,
    nothing is extracted)."""

    def __init__(self, path: str):
        try:
            self.zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as error:
            raise ValueError(f'cannot open the label archive {path}: {error}') from None
        self.path = path
        self.members = {}
        for name in self.zip.namelist():
            folder, file = osp.split(name.rstrip('/'))
            stem, suffix = osp.splitext(file)
            if osp.basename(folder) == LABEL_MEMBER_DIR and suffix == '.png' and stem.isdigit():
                self.members[int(stem)] = name
        if not self.members:
            raise ValueError(f'{path} holds no {LABEL_MEMBER_DIR}/<frame>.png image')

    def read(self, index: int) -> np.ndarray:
        """Label ids ``(H, W)`` of frame ``index``."""
        if index not in self.members:
            raise ValueError(f'{self.path} has no label image for frame {index}')
        labels = mmcv.imfrombytes(self.zip.read(self.members[index]), flag='unchanged')
        if labels is None or labels.ndim != 2:
            raise ValueError(f'{self.path}: {self.members[index]} is not a single-channel PNG')
        return labels

    def close(self) -> None:
        self.zip.close()


def scale_intrinsics(intrinsics: np.ndarray, from_size: Sequence[int],
                     to_size: Sequence[int]) -> np.ndarray:
    """4x4 intrinsics of an image resized from ``from_size`` to ``to_size`` (width, height)."""
    scaled = intrinsics.astype(np.float64).copy()
    scaled[0, :3] *= to_size[0] / from_size[0]
    scaled[1, :3] *= to_size[1] / from_size[1]
    return scaled


def convert_sens(sens_path: str, out_dir: str, every: int = 100, label_zip: Optional[str] = None,
                 label_lut: Optional[np.ndarray] = None, jpeg_quality: int = 95) -> int:
    """Export every ``every``-th frame of one .sens file into ``out_dir`` (one scene folder).

    Colour is resized (area interpolation) to the depth size, labels (when ``label_zip`` is
    given, with ``label_lut`` from :func:`read_label_table`) from the colour or depth size
    with nearest interpolation. The frames go to a temporary folder next to ``out_dir``
    (``<out_dir>.partial``) that replaces ``out_dir`` when the scene is complete, so a scene
    that fails or is killed half-way leaves no frames behind. Returns the number of frames
    written.
    """
    partial = out_dir.rstrip('/\\') + '.partial'
    shutil.rmtree(partial, ignore_errors=True)  # left by a killed conversion
    labels = None if label_zip is None else LabelZip(label_zip)
    try:
        written = _export_frames(sens_path, partial, every, labels, label_lut, jpeg_quality)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        if labels is not None:
            labels.close()
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(partial, out_dir)
    return written


def _export_frames(sens_path: str, out_dir: str, every: int, labels: Optional[LabelZip],
                   label_lut: Optional[np.ndarray], jpeg_quality: int) -> int:
    """The loop of :func:`convert_sens`; returns the number of frames written."""
    written = 0
    with contextlib.closing(SensReader(sens_path)) as sens:
        header = sens.header
        size = header.depth_size
        os.makedirs(osp.join(out_dir, 'pose'), exist_ok=True)
        for name, matrix, from_size in (('color', header.intrinsic_color, header.color_size),
                                        ('depth', header.intrinsic_depth, size)):
            np.savetxt(osp.join(out_dir, f'intrinsics_{name}.txt'),
                       scale_intrinsics(matrix, from_size, size), fmt='%.6f')
        for frame in sens.frames(every):
            stem = f'{frame.index:06d}'
            color = cv2.resize(sens.decode_color(frame), size, interpolation=cv2.INTER_AREA)
            mmcv.imwrite(color, osp.join(out_dir, 'color', stem + '.jpg'),
                         params=[cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
            write_depth_png16(osp.join(out_dir, 'depth', stem + '.png'),
                              metres_to_mm(sens.decode_depth(frame) / header.depth_shift,
                                           f'{sens_path} frame {frame.index}'))
            np.savetxt(osp.join(out_dir, 'pose', stem + '.txt'), frame.camera_to_world,
                       fmt='%.6f')
            if labels is not None:
                ids = labels.read(frame.index)
                shape = (ids.shape[1], ids.shape[0])
                if shape not in (tuple(header.color_size), tuple(size)):
                    raise ValueError(f'{labels.path}: the label image of frame {frame.index} is '
                                     f'{shape[0]}x{shape[1]}, neither the colour '
                                     f'({header.color_size[0]}x{header.color_size[1]}) nor the '
                                     f'depth size ({size[0]}x{size[1]}) of {sens_path}')
                nyu40 = map_labels(ids, label_lut, f'{labels.path} frame {frame.index}')
                mmcv.imwrite(cv2.resize(nyu40, size, interpolation=cv2.INTER_NEAREST),
                             osp.join(out_dir, 'label', stem + '.png'))
            written += 1
    return written


def read_scene_list(path: str) -> List[str]:
    """Scene names of a split file (one per line, e.g. ``scannetv2_train.txt``)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'split file not found: {path}')
    with open(path, encoding='utf-8') as file:
        names = [line.strip() for line in file if line.strip()]
    bad = [name for name in names if osp.basename(name) != name or name in ('.', '..')]
    if bad:
        raise ValueError(f'{path}: {bad[:5]} are not scene names')
    return names


def write_scene_lists(out_dir: str, scenes: Dict[str, List[str]]) -> None:
    """``out_dir/scannetv2_{split}.txt`` with the scenes of each split, one per line."""
    for split, names in scenes.items():
        with open(osp.join(out_dir, f'scannetv2_{split}.txt'), 'w', encoding='utf-8') as file:
            file.writelines(f'{name}\n' for name in names)


def convert_scannet(scans_dir: str, out_dir: str, split_dir: str, label_table: str,
                    every: int = 100, progress: bool = True) -> dict:
    """Export the scenes of the official train/val split files found in ``scans_dir``.

    Args:
        scans_dir: ScanNet's ``scans`` folder: ``SCENE/SCENE.sens`` and
            ``SCENE/SCENE_2d-label-filt.zip``.
        out_dir: Output root (``data/scannet``).
        split_dir: Folder of ``scannetv2_train.txt`` and ``scannetv2_val.txt``.
        label_table: ``scannetv2-labels.combined.tsv``.
        every: Export frames 0, every, 2 * every, ... of each scene.
        progress: Show a progress bar (one step per scene).

    Returns:
        dict: per split the scenes written, the listed scenes without a .sens file, and
        the scenes without a label archive (written without ``label/``); and the frame count.
    """
    lut = read_label_table(label_table)
    listed = {split: read_scene_list(osp.join(split_dir, f'scannetv2_{split}.txt'))
              for split in SPLITS}
    found = {split: [name for name in names
                     if osp.isfile(osp.join(scans_dir, name, f'{name}.sens'))]
             for split, names in listed.items()}
    if not any(found.values()):
        raise FileNotFoundError(f'no scene of the split files in {split_dir} has a '
                                f'SCENE/SCENE.sens file in {scans_dir}')
    summary = dict(frames=0)
    unlabelled = {split: [] for split in SPLITS}
    for split, name in track([(s, n) for s in SPLITS for n in found[s]], progress):
        label_zip = osp.join(scans_dir, name, f'{name}_2d-label-filt.zip')
        if not osp.isfile(label_zip):
            label_zip = None
            unlabelled[split].append(name)
        summary['frames'] += convert_sens(
            osp.join(scans_dir, name, f'{name}.sens'), osp.join(out_dir, name), every,
            label_zip, lut)
    for split in SPLITS:
        summary[split] = dict(scenes=found[split], unlabelled=unlabelled[split],
                              missing=sorted(set(listed[split]) - set(found[split])))
    write_scene_lists(out_dir, found)
    return summary


def prepare_frames_25k(root: str, split_dir: str, progress: bool = True) -> dict:
    """Check an unzipped ``scannet_frames_25k`` folder and write its split files into it.

    Every colour frame of every scene of the official train/val lists found in ``root`` must
    have a depth map and a label image of its size, with NYU40 ids (0..40).

    Returns:
        dict: per split the scenes found and those listed but absent; and the frame count.
    """
    listed = {split: read_scene_list(osp.join(split_dir, f'scannetv2_{split}.txt'))
              for split in SPLITS}
    found = {split: [name for name in names if osp.isdir(osp.join(root, name, 'color'))]
             for split, names in listed.items()}
    if not any(found.values()):
        raise FileNotFoundError(f'no scene of the split files in {split_dir} has a SCENE/color '
                                f'folder in {root}')
    frames = [(scene, name[:-len('.jpg')]) for split in SPLITS for scene in found[split]
              for name in sorted(os.listdir(osp.join(root, scene, 'color')))
              if name.endswith('.jpg')]
    for scene, stem in track(frames, progress):
        color = osp.join(root, scene, 'color', stem + '.jpg')
        shapes = {}
        for folder, suffix in (('color', '.jpg'), ('depth', '.png'), ('label', '.png')):
            path = osp.join(root, scene, folder, stem + suffix)
            array = cv2.imread(path, cv2.IMREAD_UNCHANGED)
            if array is None:
                raise ValueError(f'{path} is missing or unreadable (frame of {color})')
            shapes[folder] = array.shape[:2]
            if folder == 'depth' and array.dtype != np.uint16:
                raise ValueError(f'{path} is {array.dtype}, expected 16-bit depth in mm')
            if folder == 'label' and (array.ndim != 2 or array.max() > len(NYU40_CLASSES)):
                raise ValueError(f'{path} is not a single-channel image of NYU40 ids 0..'
                                 f'{len(NYU40_CLASSES)}')
        if len(set(shapes.values())) != 1:
            raise ValueError(f'frame {stem} of {scene}: sizes (HxW) differ: {shapes}')
    write_scene_lists(root, found)
    summary = {split: dict(scenes=found[split],
                           missing=sorted(set(listed[split]) - set(found[split])))
               for split in SPLITS}
    summary['frames'] = len(frames)
    return summary
