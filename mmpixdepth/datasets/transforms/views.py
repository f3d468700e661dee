import math
from functools import lru_cache
from numbers import Integral, Real
from typing import List, Optional, Sequence, Tuple

import mmcv
import numpy as np
import torch
from mmcv.transforms import BaseTransform, Compose
from mmengine.registry import DefaultScope
from mmpretrain.datasets.transforms import ColorJitter, RandomResizedCrop
from PIL import Image

from mmpixdepth.registry import PRETRAIN_TRANSFORMS, register_module


def adjust_hue(img: np.ndarray, hue: float) -> np.ndarray:
    """Shift the hue of a BGR uint8 image by ``hue`` turns (in [-0.5, 0.5]), wrapping around.

    The hue channel (PIL's HSV, 0-255) is shifted by ``int(hue * 255)`` modulo 256: the result
    of ``mmcv.adjust_hue(img, hue, backend='pillow')`` under NumPy 1; under NumPy 2 that call
    raises for negative shifts (``np.uint8`` of a negative integer).
    """
    h, s, v = Image.fromarray(np.ascontiguousarray(img[..., ::-1])).convert('HSV').split()
    shifted = (np.asarray(h, np.int16) + int(hue * 255)) % 256
    rgb = Image.merge('HSV', (Image.fromarray(shifted.astype(np.uint8)), s, v)).convert('RGB')
    return np.asarray(rgb, dtype=img.dtype)[..., ::-1]


@register_module(PRETRAIN_TRANSFORMS)
class HueSafeColorJitter(ColorJitter):
    """mmpretrain's ``ColorJitter`` with the hue step done by :func:`adjust_hue`.

    Temporary shim: mmpretrain's ``ColorJitter`` calls ``mmcv.adjust_hue``, which in mmcv 2.1.0
    (the newest this package installs: mmseg needs mmcv < 2.2.0) and in 2.2.0 raises
    ``OverflowError`` under NumPy 2 for a negative hue factor (half of the draws of
    ``hue=0.1``); drop it for an mmcv release that wraps the hue itself. Arguments,
    random draws and results are otherwise those of ``ColorJitter``; images are BGR uint8.
    """

    def transform(self, results: dict) -> dict:
        img = results['img']
        order, brightness, contrast, saturation, hue = self._rand_params()
        for index in order:
            if index == 0 and brightness is not None:
                img = mmcv.adjust_brightness(img, brightness, backend=self.backend)
            elif index == 1 and contrast is not None:
                img = mmcv.adjust_contrast(img, contrast, backend=self.backend)
            elif index == 2 and saturation is not None:
                img = mmcv.adjust_color(img, alpha=saturation, backend=self.backend)
            elif index == 3 and hue is not None:
                img = adjust_hue(img, hue)
        results['img'] = img
        return results


def _byol_view(blur_prob: float, solarize_prob: float) -> List[dict]:
    """BYOL's colour augmentation of one view (images in BGR order, as loaded by mmcv)."""
    pipeline = [
        dict(type='RandomApply',
             transforms=[dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
                              saturation=0.2, hue=0.1)],
             prob=0.8),
        dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
             channel_weights=(0.114, 0.587, 0.2989)),
        dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf',
             prob=blur_prob),
    ]
    if solarize_prob > 0:
        pipeline.append(dict(type='Solarize', thr=128, prob=solarize_prob))
    return pipeline


#: BYOL's asymmetric recipe: view 1 always blurred, view 2 rarely blurred and sometimes solarized.
BYOL_VIEW_PIPELINES = (_byol_view(1.0, 0.0), _byol_view(0.1, 0.2))


def _check_range(value, name: str, low: float = 0.0) -> Tuple[float, float]:
    if (not isinstance(value, Sequence) or len(value) != 2
            or not all(isinstance(v, Real) and math.isfinite(v) for v in value)
            or not low < value[0] <= value[1]):
        raise ValueError(f'{name} must be a (min, max) pair with {low} < min <= max, '
                         f'got {value!r}')
    return float(value[0]), float(value[1])


def _cell_edges(start: int, size: int, cells: int) -> Tuple[np.ndarray, np.ndarray]:
    """First and one-past-last pixel index of each of ``cells`` cells over ``[start, start+size)``.

    Cell k spans ``[k * size / cells, (k + 1) * size / cells)`` and holds the pixels whose centre
    ``p + 0.5`` lies in that span; a cell holding no centre (only when ``size < cells``) takes
    the single pixel ``min(e_k, size - 1)``, e_k being its first edge below.
    """
    k = np.arange(cells + 1)
    edges = -((cells - 2 * k * size) // (2 * cells))  # ceil(k * size / cells - 1/2)
    first = np.minimum(edges[:-1], size - 1)
    last = np.maximum(edges[1:], first + 1)
    return start + first, start + last


@lru_cache(maxsize=4096)
def _cell_membership(size: int, cells: int) -> np.ndarray:
    """``(cells, size)`` 0/1 float64: entry (k, p) is 1 iff pixel p is in cell k (_cell_edges).

    Cached (read-only): crop sizes repeat, and building it costs more than using it.
    """
    first, last = _cell_edges(0, size, cells)
    pixels = np.arange(size)
    membership = ((pixels >= first[:, None]) & (pixels < last[:, None])).astype(np.float64)
    membership.flags.writeable = False
    return membership


@register_module(PRETRAIN_TRANSFORMS)
class PixProViews(BaseTransform):
    """Two views of an image with PixPro's crop and flip convention, and the depth of each cell.

    Each view is a random resized crop (torchvision's sampling: area fraction in ``scale``,
    log-uniform aspect ratio in ``ratio``, 10 tries, then a centre crop of the image clipped to
    ``ratio``) resized to ``crop_size`` x ``crop_size`` (bilinear) and flipped horizontally with
    ``flip_prob``; then its own colour pipeline is applied to its image. All the geometry of
    both views is drawn (``np.random``) before any colour transform, so the crops do not depend
    on the colour pipelines.

    For a crop with top-left pixel ``(i, j)`` and size ``(h, w)`` of an ``H x W`` image,
    ``coord = [j / (W-1), i / (H-1), (j+w-1) / (W-1), (i+h-1) / (H-1)]``
    (``[x_ul, y_ul, x_lr, y_lr]``); a flipped view swaps ``x_ul`` and ``x_lr``.

    The feature map of a view is ``Hf x Wf = (crop_size // feat_stride)`` per side. Cell
    ``(r, c)`` of an unflipped view covers rows ``[t_r, b_r)`` and columns ``[l_c, e_c)`` of
    the ORIGINAL image: the crop's rows ``[i, i+h)`` are split into ``Hf`` equal spans
    ``[i + r*h/Hf, i + (r+1)*h/Hf)`` and row ``p`` belongs to the span holding its centre
    ``p + 0.5``, i.e. ``t_r = i + ceil(r*h/Hf - 1/2)``; when ``h < Hf`` a span may hold no
    centre and its cell takes the single row ``min(t_r, i+h-1)``, so every cell has at least
    one row. Columns likewise with ``j, w, Wf``. Cell ``c`` of a flipped view covers what cell
    ``Wf-1-c`` of the unflipped view covers. The depth of a cell is the mean of the valid
    (non-NaN) pixels of ``results['depth']`` in its region, NaN when none is valid. Depth is
    not renormalised per view: both views keep the scale of ``results['depth']``.

    Required Keys:

    - img: ``(H, W, C)`` or ``(H, W)`` image, H, W >= 2.
    - depth (optional): ``(H, W)`` float depth, NaN where invalid.

    Modified Keys:

    - img: list of the 2 views, each ``(crop_size, crop_size, C)`` (dtype kept).
    - img_shape: ``(crop_size, crop_size)``.

    Added Keys:

    - coord (torch.Tensor): float32 ``[2, 4]``, one ``[x_ul, y_ul, x_lr, y_lr]`` per view.
    - depth_cells (torch.Tensor): float32 ``[2, Hf, Wf]``, NaN where a cell has no valid depth
      (all NaN when ``results`` has no depth).

    Args:
        crop_size (int): Side of the square views in pixels. Defaults to 224.
        scale (tuple[float, float]): Range of the crop area over the image area.
            Defaults to (0.08, 1.0).
        ratio (tuple[float, float]): Range of the crop aspect ratio (width / height).
            Defaults to (3/4, 4/3).
        flip_prob (float): Probability of a horizontal flip of each view. Defaults to 0.5.
        feat_stride (int): Stride of the feature map the cells refer to; must divide
            ``crop_size``. Defaults to 32.
        view_pipelines (Sequence[Sequence[dict]], optional): 2 lists of transforms (mmpretrain
            scope) applied to the image of view 1 and view 2 only. Defaults to
            :data:`BYOL_VIEW_PIPELINES`; ``[[], []]`` for none.
    """

    def __init__(self,
                 crop_size: int = 224,
                 scale: Sequence[float] = (0.08, 1.0),
                 ratio: Sequence[float] = (3. / 4., 4. / 3.),
                 flip_prob: float = 0.5,
                 feat_stride: int = 32,
                 view_pipelines: Optional[Sequence[Sequence]] = None) -> None:
        for name, value in (('crop_size', crop_size), ('feat_stride', feat_stride)):
            if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f'{name} must be a positive integer, got {value!r}')
        if crop_size % feat_stride:
            raise ValueError(f'crop_size ({crop_size}) must be a multiple of feat_stride '
                             f'({feat_stride}) so that the feature map has '
                             'crop_size // feat_stride cells per side')
        if not isinstance(flip_prob, Real) or not 0 <= flip_prob <= 1:
            raise ValueError(f'flip_prob must be in [0, 1], got {flip_prob!r}')
        if view_pipelines is None:
            view_pipelines = BYOL_VIEW_PIPELINES
        if not isinstance(view_pipelines, Sequence) or len(view_pipelines) != 2:
            raise ValueError('view_pipelines must be a list of 2 transform lists (view 1, '
                             f'view 2), got {view_pipelines!r}')

        self.crop_size = int(crop_size)
        self.scale = _check_range(scale, 'scale')
        self.ratio = _check_range(ratio, 'ratio')
        self.flip_prob = float(flip_prob)
        self.feat_stride = int(feat_stride)
        self.feat_size = self.crop_size // self.feat_stride
        # the box sampling of mmpretrain's RandomResizedCrop (torchvision's); the resize is ours,
        # since the cells need the box
        self._crop = RandomResizedCrop(self.crop_size, crop_ratio_range=self.scale,
                                       aspect_ratio_range=self.ratio)
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            self.view_pipelines = [Compose(list(pipeline)) for pipeline in view_pipelines]

    def _sample_box(self, img: np.ndarray) -> Tuple[int, int, int, int]:
        """Random crop ``(i, j, h, w)`` of ``img``: top row, left column, height, width."""
        return tuple(int(v) for v in self._crop.rand_crop_params(img))

    def _cell_depth(self, depth: np.ndarray, box: Tuple[int, int, int, int],
                    flip: bool) -> np.ndarray:
        """``(Hf, Wf)`` mean valid depth of each cell of a view (see the class docstring).

        Cell sums are products with 0/1 cell-membership matrices, ``rows @ crop @ cols.T``
        (float64), for the values and for the valid count: O(crop area) per view.
        """
        i, j, h, w = box
        crop = depth[i:i + h, j:j + w]
        valid = ~np.isnan(crop)
        rows, cols = _cell_membership(h, self.feat_size), _cell_membership(w, self.feat_size)
        sums = rows @ np.where(valid, crop, 0).astype(np.float64) @ cols.T
        counts = rows @ valid.astype(np.float64) @ cols.T
        cells = np.divide(sums, counts, out=np.full_like(sums, np.nan), where=counts > 0)
        return cells[:, ::-1] if flip else cells

    def transform(self, results: dict) -> dict:
        """Make the two views.

        Args:
            results (dict): Result dict with ``img`` and optionally ``depth``.

        Returns:
            dict: ``results`` with the list of 2 views in ``img``, ``coord`` [2, 4] and
            ``depth_cells`` [2, Hf, Wf].
        """
        img = results['img']
        height, width = img.shape[:2]
        if height < 2 or width < 2:
            raise ValueError(f'PixProViews needs an image of at least 2x2 pixels, got '
                             f'{height}x{width} ({results.get("img_path")})')
        depth = results.get('depth')
        if depth is not None and tuple(depth.shape) != (height, width):
            raise ValueError(
                f'depth map {results.get("depth_path")} is {depth.shape[0]}x{depth.shape[1]} '
                f'but image {results.get("img_path")} is {height}x{width} (HxW); they must be '
                'aligned pixel for pixel')

        geometry = []
        for _ in range(2):
            box = self._sample_box(img)
            geometry.append((box, bool(np.random.rand() < self.flip_prob)))

        views, coords, cells = [], [], []
        for (box, flip), pipeline in zip(geometry, self.view_pipelines):
            i, j, h, w = box
            view = mmcv.imresize(img[i:i + h, j:j + w], (self.crop_size, self.crop_size),
                                 interpolation='bilinear')
            x_ul, x_lr = j / (width - 1), (j + w - 1) / (width - 1)
            if flip:
                view = np.ascontiguousarray(view[:, ::-1])
                x_ul, x_lr = x_lr, x_ul
            coords.append([x_ul, i / (height - 1), x_lr, (i + h - 1) / (height - 1)])
            if depth is None:
                cells.append(np.full((self.feat_size, self.feat_size), np.nan))
            else:
                cells.append(self._cell_depth(depth, box, flip))
            view_results = pipeline(dict(img=view, img_shape=view.shape[:2]))
            views.append(view_results['img'])

        results['img'] = views
        results['img_shape'] = (self.crop_size, self.crop_size)
        results['coord'] = torch.tensor(coords, dtype=torch.float32)
        results['depth_cells'] = torch.from_numpy(np.stack(cells).astype(np.float32))
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'crop_size={self.crop_size}, '
                f'scale={self.scale}, '
                f'ratio={self.ratio}, '
                f'flip_prob={self.flip_prob}, '
                f'feat_stride={self.feat_stride}, '
                f'view_pipelines={self.view_pipelines})')
