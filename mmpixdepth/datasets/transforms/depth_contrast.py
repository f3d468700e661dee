"""Transforms for a depth map and the pixel-aligned single-channel image of the same sample.

Pretraining (two views, one per modality, cropped alike)::

    LoadImageFromFile(color_type='grayscale') -> LoadDepthFromFile -> DepthToImage
    -> PairedRandomResizedCrop(keys=('depth', 'img')) -> ModalityViews -> PackInputs

Classification (one 3-channel image: depth, reflectance, depth)::

    LoadImageFromFile(color_type='grayscale') -> LoadDepthFromFile -> DepthToImage
    -> MergeModalities -> any mmpretrain image transform -> PackInputs
"""
from typing import Sequence

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmpretrain.datasets.transforms import RandomResizedCrop

from mmpixdepth.registry import PRETRAIN_TRANSFORMS, register_module

FILL_MODES = ('zero', 'mean')


def _get(results: dict, key: str):
    if key not in results:
        raise KeyError(f'results has no {key!r} (keys: {", ".join(sorted(results))}); load it '
                       'first (LoadImageFromFile for img, LoadDepthFromFile for depth)')
    return results[key]


def _single_channel(results: dict, key: str) -> np.ndarray:
    """``results[key]`` as a float32 (H, W) map; a clear error for a multi-channel array."""
    array = np.asarray(_get(results, key))
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError(
            f'{key!r} of {results.get("img_path")} has shape {array.shape}; one channel '
            "(H, W) is expected (load the image with LoadImageFromFile(color_type='grayscale'))")
    return array.astype(np.float32)


def _check_same_size(results: dict, keys: Sequence[str]) -> None:
    sizes = {key: tuple(np.shape(_get(results, key))[:2]) for key in keys}
    if len(set(sizes.values())) > 1:
        listed = ', '.join(f'{key!r} {h}x{w}' for key, (h, w) in sizes.items())
        raise ValueError(f'the modalities of {results.get("img_path")} differ in size (HxW): '
                         f'{listed}; they must be pixel-aligned')


@register_module(PRETRAIN_TRANSFORMS)
class DepthToImage(BaseTransform):
    """Turn a normalised depth map into an image-like map: invalid pixels filled, [0, 255].

    The depth map must be normalised to [0, 1] (``LoadDepthFromFile`` with
    ``normalize='minmax'`` or ``'range'``). It stays float32, so high bit depths are not
    quantised to 8 bits, and is multiplied by 255 to share the value range (and the data
    preprocessor's mean and std) with 8-bit images. Invalid (NaN) pixels never reach the
    network: they become 0 (``fill='zero'``, like missing values in a raw depth file) or the
    mean of the valid pixels of the map (``fill='mean'``).

    Required Keys:

    - ``key``: float32 (H, W) depth in [0, 1], NaN where invalid.

    Modified Keys:

    - ``key``: float32 (H, W) in [0, 255], no NaN.

    Args:
        key (str): Results key of the depth map. Defaults to 'depth'.
        fill (str): 'zero' or 'mean'. Defaults to 'zero'.
    """

    def __init__(self, key: str = 'depth', fill: str = 'zero') -> None:
        if fill not in FILL_MODES:
            raise ValueError(f'fill must be one of {FILL_MODES}, got {fill!r}')
        self.key = key
        self.fill = fill

    def transform(self, results: dict) -> dict:
        depth = _single_channel(results, self.key)
        valid = np.isfinite(depth)
        source = results.get('depth_path', results.get('img_path'))
        if not valid.any():
            raise ValueError(f'every pixel of {self.key!r} of {source} is invalid (NaN)')
        if depth[valid].min() < 0 or depth[valid].max() > 1:
            raise ValueError(
                f'DepthToImage expects depth normalised to [0, 1], but {self.key!r} of {source} '
                f'spans [{depth[valid].min():g}, {depth[valid].max():g}]; use LoadDepthFromFile '
                "with normalize='minmax' or normalize='range'")
        fill = depth[valid].mean() if self.fill == 'mean' else 0.
        results[self.key] = np.where(valid, depth, fill).astype(np.float32) * np.float32(255)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(key={self.key!r}, fill={self.fill!r})'


@register_module(PRETRAIN_TRANSFORMS)
class PairedRandomResizedCrop(RandomResizedCrop):
    """mmpretrain's ``RandomResizedCrop`` and a horizontal flip, the same for several maps.

    One crop box (and one flip decision) is drawn per sample and applied to every key, so a
    depth map and its pixel-aligned image stay aligned. Fill invalid depth first
    (``DepthToImage``): interpolation would spread NaN.

    Required Keys:

    - every key of ``keys``, (H, W) or (H, W, C) arrays of the same H and W.

    Modified Keys:

    - every key of ``keys``, resized to ``scale``; ``img_shape`` when 'img' is a key.

    Added Keys:

    - crop_bbox (np.ndarray): ``[x1, y1, x2, y2]`` of the crop in the input, inclusive.
    - flip (bool): whether the crops were flipped horizontally.

    Args:
        scale (int | tuple[int, int]): Output size, ``(h, w)`` for a tuple.
        keys (Sequence[str]): Results keys cropped alike. Defaults to ('depth', 'img').
        flip_prob (float): Probability of a horizontal flip. Defaults to 0.5.
        **kwargs: ``crop_ratio_range``, ``aspect_ratio_range``, ``max_attempts``,
            ``interpolation``, ``backend`` of ``RandomResizedCrop``.
    """

    def __init__(self, scale, keys: Sequence[str] = ('depth', 'img'), flip_prob: float = 0.5,
                 **kwargs) -> None:
        super().__init__(scale, **kwargs)
        if isinstance(keys, str) or not keys:
            raise ValueError(f'keys must be a non-empty sequence of results keys, got {keys!r}')
        if not 0 <= flip_prob <= 1:
            raise ValueError(f'flip_prob must be in [0, 1], got {flip_prob!r}')
        self.keys = tuple(keys)
        self.flip_prob = flip_prob

    @cache_randomness
    def rand_flip(self) -> bool:
        return bool(np.random.rand() < self.flip_prob)

    def transform(self, results: dict) -> dict:
        _check_same_size(results, self.keys)
        top, left, height, width = self.rand_crop_params(results[self.keys[0]])
        bbox = np.array([left, top, left + width - 1, top + height - 1])
        flip = self.rand_flip()
        for key in self.keys:
            crop = mmcv.imresize(mmcv.imcrop(results[key], bboxes=bbox), tuple(self.scale[::-1]),
                                 interpolation=self.interpolation, backend=self.backend)
            results[key] = mmcv.imflip(crop) if flip else crop
        if 'img' in self.keys:
            results['img_shape'] = results['img'].shape[:2]
        results['crop_bbox'] = bbox
        results['flip'] = flip
        return results

    def __repr__(self) -> str:
        return (super().__repr__()[:-1] + f', keys={self.keys}, flip_prob={self.flip_prob})')


@register_module(PRETRAIN_TRANSFORMS)
class ModalityViews(BaseTransform):
    """One input view per modality: ``results['img'] = [view of keys[0], view of keys[1], ...]``.

    Each single-channel map becomes a float32 (H, W, channels) view: tiled to 3 channels
    (``channels=3``, for a usual 3-channel stem) or kept as one (``channels=1``, for a
    backbone built with ``in_channels=1``). ``PackInputs`` then packs the list of views.

    Required Keys:

    - every key of ``keys``: (H, W) or (H, W, 1) maps of the same size.

    Modified Keys:

    - img: the list of views; img_shape.

    Args:
        keys (Sequence[str]): The modalities, in the order the model takes them. Defaults to
            ('depth', 'img'): depth first, then the reflectance image (``DepthContrast``).
        channels (int): 3 or 1. Defaults to 3.
    """

    def __init__(self, keys: Sequence[str] = ('depth', 'img'), channels: int = 3) -> None:
        if channels not in (1, 3):
            raise ValueError(f'channels must be 3 (tiled) or 1, got {channels!r}')
        self.keys = tuple(keys)
        self.channels = channels

    def transform(self, results: dict) -> dict:
        _check_same_size(results, self.keys)
        views = [_single_channel(results, key)[..., None] for key in self.keys]
        results['img'] = [np.repeat(view, self.channels, axis=2) for view in views]
        results['img_shape'] = views[0].shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(keys={self.keys}, channels={self.channels})'


@register_module(PRETRAIN_TRANSFORMS)
class MergeModalities(BaseTransform):
    """Stack single-channel maps as the channels of one image, e.g. (depth, reflectance, depth).

    The classification input of Depth Contrast: ``results['img']`` becomes float32
    (H, W, len(keys)), channel k taken from ``results[keys[k]]``, ready for mmpretrain's image
    transforms (crops, resizes and flips then act on every modality alike).

    Required Keys:

    - every key of ``keys``: (H, W) or (H, W, 1) maps of the same size.

    Modified Keys:

    - img, img_shape.

    Args:
        keys (Sequence[str]): Defaults to ('depth', 'img', 'depth').
    """

    def __init__(self, keys: Sequence[str] = ('depth', 'img', 'depth')) -> None:
        if isinstance(keys, str) or not keys:
            raise ValueError(f'keys must be a non-empty sequence of results keys, got {keys!r}')
        self.keys = tuple(keys)

    def transform(self, results: dict) -> dict:
        _check_same_size(results, self.keys)
        results['img'] = np.stack([_single_channel(results, key) for key in self.keys], axis=2)
        results['img_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(keys={self.keys})'
