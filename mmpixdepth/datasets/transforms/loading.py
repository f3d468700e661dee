import math
import os.path as osp
from numbers import Integral, Real
from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmpixdepth.fileio import read_depth
from mmpixdepth.registry import PRETRAIN_TRANSFORMS, SEG_TRANSFORMS, register_module

NORMALIZE_MODES = ('minmax', 'range', 'none')


def _check_pair(value, name):
    """Return ``value`` as a ``(low, high)`` tuple of finite-or-infinite numbers, low < high."""
    if (not isinstance(value, Sequence) or len(value) != 2
            or not all(isinstance(v, Real) and not math.isnan(v) for v in value)
            or not value[0] < value[1]):
        raise ValueError(f'{name} must be a (low, high) pair of numbers with low < high, '
                         f'got {value!r}')
    return tuple(float(v) for v in value)


@register_module(PRETRAIN_TRANSFORMS, SEG_TRANSFORMS)
class LoadDepthFromFile(BaseTransform):
    """Load a depth map aligned with the image.

    The depth file is ``results[depth_key]`` when given, otherwise it is derived from
    ``results['img_path']``: the last folder named ``img_dir`` becomes ``depth_dir`` and the
    suffix becomes ``depth_suffix`` (``data/images/train/0001.jpg`` ->
    ``data/depth/train/0001.png``). Formats: see :func:`mmpixdepth.fileio.read_depth`.

    Raw values equal to one of ``invalid_values``, NaN and inf are invalid; the rest is
    multiplied by ``scale`` (e.g. 0.001 for millimetres to metres), pixels outside
    ``valid_range`` (in scaled units) become invalid, then the valid pixels are normalised (in
    float64 for files of wide types, e.g. float64 TIFF, before the float32 output). Invalid
    pixels are NaN in the output; a map without valid pixels, or whose valid pixels all come out
    equal (no depth differences), is an error naming the file.

    Required Keys:

    - img_path, or ``depth_key``
    - img_shape or img (optional, for the size check)
    - seg_fields (optional)

    Added Keys:

    - ``out_key`` (np.float32): ``(H, W)`` depth, NaN where invalid.
    - depth_path (str): the file read.

    Modified Keys:

    - seg_fields (optional): ``out_key`` is appended, so that mmseg's geometric transforms
      (nearest interpolation) keep the depth aligned with the image.

    Args:
        depth_key (str): Results key holding the depth file path. Defaults to 'depth_path'.
        img_dir (str): Folder name in ``img_path`` replaced by ``depth_dir`` when
            ``depth_key`` is absent. Defaults to 'images'.
        depth_dir (str): Replacement of ``img_dir``. Defaults to 'depth'.
        depth_suffix (str, optional): Suffix of derived depth paths; None keeps the image's.
            Defaults to '.png'.
        scale (float): Factor from raw values to depth units. Defaults to 1.0.
        invalid_values (Sequence[float]): Raw values marking missing depth, e.g. ``(0, 65535)``;
            ``()`` for none. Defaults to ``(0,)``.
        valid_range (tuple[float, float], optional): ``(min, max)`` scaled depth outside of
            which pixels are invalid. Defaults to None.
        normalize (str): 'minmax' maps the valid pixels of each map to [0, 1]; 'range' maps ``norm_range`` to [0, 1], clipping; 'none' keeps scaled
            depth. Defaults to 'minmax'.
        norm_range (tuple[float, float], optional): ``(low, high)`` scaled depth mapped to 0
            and 1 by ``normalize='range'``. Defaults to None.
        channel (int, optional): Channel holding depth in multi-channel files. Defaults to None.
        out_key (str): Results key of the depth map. Defaults to 'depth'.
        check_size (bool): Raise when the depth map and the loaded image differ in size.
            Defaults to True.
        backend_args (dict, optional): Arguments of the mmengine file backend. Defaults to None.
    """

    def __init__(self,
                 depth_key: str = 'depth_path',
                 img_dir: str = 'images',
                 depth_dir: str = 'depth',
                 depth_suffix: Optional[str] = '.png',
                 scale: float = 1.0,
                 invalid_values: Sequence[float] = (0, ),
                 valid_range: Optional[Sequence[float]] = None,
                 normalize: str = 'minmax',
                 norm_range: Optional[Sequence[float]] = None,
                 channel: Optional[int] = None,
                 out_key: str = 'depth',
                 check_size: bool = True,
                 backend_args: Optional[dict] = None) -> None:
        for name, value in (('depth_key', depth_key), ('img_dir', img_dir),
                            ('depth_dir', depth_dir), ('out_key', out_key)):
            if not isinstance(value, str) or not value:
                raise ValueError(f'{name} must be a non-empty string, got {value!r}')
        if depth_suffix is not None and not isinstance(depth_suffix, str):
            raise ValueError(f'depth_suffix must be a string or None, got {depth_suffix!r}')
        if not isinstance(scale, Real) or not math.isfinite(scale) or scale == 0:
            raise ValueError(f'scale must be a finite non-zero number, got {scale!r}')
        if isinstance(invalid_values, Real):
            invalid_values = (invalid_values, )
        if not isinstance(invalid_values, Sequence) or not all(
                isinstance(v, Real) for v in invalid_values):
            raise ValueError('invalid_values must be a sequence of numbers, e.g. (0, 65535), '
                             f'got {invalid_values!r}')
        if normalize not in NORMALIZE_MODES:
            raise ValueError(f'normalize must be one of {NORMALIZE_MODES}, got {normalize!r}')
        if normalize == 'range' and norm_range is None:
            raise ValueError("normalize='range' needs norm_range=(low, high), the scaled depth "
                             'mapped to 0 and 1')
        if normalize != 'range' and norm_range is not None:
            raise ValueError(f"norm_range is only used with normalize='range', but normalize="
                             f'{normalize!r}; remove norm_range or set normalize')
        if channel is not None and (not isinstance(channel, Integral) or isinstance(channel, bool)
                                    or channel < 0):
            raise ValueError(f'channel must be None or a channel index >= 0, got {channel!r}')

        self.depth_key = depth_key
        self.img_dir = img_dir
        self.depth_dir = depth_dir
        self.depth_suffix = depth_suffix
        self.scale = float(scale)
        self.invalid_values = tuple(invalid_values)
        self.valid_range = None if valid_range is None else _check_pair(
            valid_range, 'valid_range')
        self.normalize = normalize
        self.norm_range = None if norm_range is None else _check_pair(norm_range, 'norm_range')
        self.channel = channel
        self.out_key = out_key
        self.check_size = check_size
        self.backend_args = None if backend_args is None else backend_args.copy()

    def _derive_path(self, img_path: str) -> str:
        """Map an image path to its depth path with ``img_dir``, ``depth_dir``, ``depth_suffix``."""
        folders, name = img_path.split('/')[:-1], img_path.split('/')[-1]
        if self.img_dir not in folders:
            raise ValueError(
                f'cannot derive the depth path of image {img_path}: it is in no folder named '
                f'{self.img_dir!r} (img_dir) to replace with {self.depth_dir!r} (depth_dir). '
                f'Set img_dir/depth_dir/depth_suffix, or give the depth file in '
                f'results[{self.depth_key!r}] (depth_key).')
        index = len(folders) - 1 - folders[::-1].index(self.img_dir)
        folders[index] = self.depth_dir
        if self.depth_suffix is not None:
            name = osp.splitext(name)[0] + self.depth_suffix
        return '/'.join(folders + [name])

    def _resolve_path(self, results: dict):
        """Return the depth path and a description of where it came from."""
        img_path = results.get('img_path')
        if results.get(self.depth_key) is not None:
            return str(results[self.depth_key]), \
                f'given in results[{self.depth_key!r}] for image {img_path}'
        if img_path is None:
            raise KeyError(f'LoadDepthFromFile needs results[{self.depth_key!r}] (depth_key) or '
                           "results['img_path'] to find the depth file")
        return self._derive_path(str(img_path)), (
            f'derived from image {img_path} with img_dir={self.img_dir!r}, '
            f'depth_dir={self.depth_dir!r}, depth_suffix={self.depth_suffix!r}')

    def _check_image_size(self, depth: np.ndarray, results: dict, path: str) -> None:
        if 'img_shape' in results:
            img_shape = tuple(results['img_shape'][:2])
        elif results.get('img') is not None:
            img_shape = tuple(results['img'].shape[:2])
        else:
            return
        if tuple(depth.shape) != img_shape:
            raise ValueError(
                f'depth map {path} is {depth.shape[0]}x{depth.shape[1]} (HxW) but image '
                f'{results.get("img_path")} is {img_shape[0]}x{img_shape[1]}; depth must match '
                'the image pixel for pixel (load it before transforms that resize or crop, or '
                'set check_size=False)')

    def _normalize(self, depth: np.ndarray, low: float, high: float) -> np.ndarray:
        """``depth`` (this transform's own float array: changed in place, its valid values in
        ``[low, high]``) normalised."""
        if self.normalize == 'minmax':
            if high > low:
                np.subtract(depth, low, out=depth)
                return np.divide(depth, high - low, out=depth)
            return np.zeros_like(depth)
        if self.normalize == 'range':
            low, high = self.norm_range
            return np.clip((depth - low) / (high - low), 0, 1)
        return depth

    def transform(self, results: dict) -> dict:
        """Load the depth map into ``results[out_key]``.

        Args:
            results (dict): Result dict with ``img_path`` or ``depth_key``.

        Returns:
            dict: ``results`` with the float32 ``(H, W)`` depth (NaN where invalid) under
            ``out_key`` and its file under ``depth_path``.
        """
        path, origin = self._resolve_path(results)
        try:
            raw = read_depth(path, channel=self.channel, backend_args=self.backend_args)
        except FileNotFoundError as error:
            raise FileNotFoundError(f'{error} ({origin})') from None
        if self.check_size:
            self._check_image_size(raw, results, path)

        valid = np.isfinite(raw)
        for value in self.invalid_values:
            valid &= raw != value
        # raw: our own copy; float32 or, for wide file types, float64
        depth = raw * raw.dtype.type(self.scale) if self.scale != 1 else raw
        if self.valid_range is not None:
            low, high = self.valid_range
            valid &= (depth >= low) & (depth <= high)
        if not valid.any():
            raise ValueError(
                f'every pixel of depth map {path} is invalid ({raw.size} pixels; '
                f'invalid_values={self.invalid_values}, valid_range={self.valid_range}, '
                f'scale={self.scale}; NaN and inf are invalid too)')

        low = depth.min(where=valid, initial=np.inf)
        high = depth.max(where=valid, initial=-np.inf)
        depth = self._normalize(depth, low, high).astype(np.float32, copy=False)
        # min-max maps [low, high] to [0, 1]: constant iff low == high, no pass over the output
        constant = (low == high if self.normalize == 'minmax' else
                    depth.min(where=valid, initial=np.inf) == depth.max(where=valid,
                                                                        initial=-np.inf))
        if constant:
            raise ValueError(
                f'depth map {path} has no depth differences: its {int(valid.sum())} valid pixels '
                f'(scaled depth {low:g} to {high:g}) all come out equal under normalize='
                f'{self.normalize!r}' + (f', norm_range={self.norm_range}' if self.norm_range
                                         else '') + '; check the file, invalid_values and scale')
        depth[~valid] = np.nan
        results[self.out_key] = depth
        results['depth_path'] = path
        seg_fields = results.get('seg_fields')
        if seg_fields is not None and self.out_key not in seg_fields:
            seg_fields.append(self.out_key)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'depth_key={self.depth_key!r}, '
                f'img_dir={self.img_dir!r}, '
                f'depth_dir={self.depth_dir!r}, '
                f'depth_suffix={self.depth_suffix!r}, '
                f'scale={self.scale}, '
                f'invalid_values={self.invalid_values}, '
                f'valid_range={self.valid_range}, '
                f'normalize={self.normalize!r}, '
                f'norm_range={self.norm_range}, '
                f'channel={self.channel}, '
                f'out_key={self.out_key!r}, '
                f'check_size={self.check_size}, '
                f'backend_args={self.backend_args})')
