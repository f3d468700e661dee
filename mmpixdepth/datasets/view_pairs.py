"""Two augmented views of one image as a pretraining config makes them, and the cells that
PixPro and PixDepth pair across them.

The config's ``PixProViews`` and ``LoadDepthFromFile`` are built on their own, outside a
dataloader, for the tools that draw or count view pairs (``tools/visualize_pairs.py``,
``tools/analysis_tools/pair_statistics.py``).
"""
import copy
from typing import Dict, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmpixdepth.models.utils import pixel_pair_masks


def find_transform_cfg(node, type_name: str) -> Optional[dict]:
    """The first dict with ``type == type_name`` in a nested config (depth first), or None."""
    if isinstance(node, dict):
        if node.get('type') == type_name:
            return node
        children = node.values()
    elif isinstance(node, (list, tuple)):
        children = node
    else:
        return None
    for child in children:
        found = find_transform_cfg(child, type_name)
        if found is not None:
            return found
    return None


def build_views(cfg: Config):
    """The config's ``PixProViews`` (from ``train_dataloader``, else ``train_pipeline``), built
    without colour pipelines so that views keep the colours of the image."""
    found = (find_transform_cfg(cfg.get('train_dataloader'), 'PixProViews')
             or find_transform_cfg(cfg.get('train_pipeline'), 'PixProViews'))
    if found is None:
        raise KeyError(f'config {cfg.filename} has no PixProViews transform in its '
                       'train_dataloader or train_pipeline')
    from mmpretrain.registry import TRANSFORMS
    views_cfg = dict(copy.deepcopy(found), view_pipelines=[[], []])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return TRANSFORMS.build(views_cfg)


def build_depth_loader(cfg: Config):
    """The config's ``LoadDepthFromFile`` (its options: invalid values, normalisation, ...),
    or one with the default options when the config has none."""
    found = (find_transform_cfg(cfg.get('train_dataloader'), 'LoadDepthFromFile')
             or find_transform_cfg(cfg.get('train_pipeline'), 'LoadDepthFromFile')
             or dict(type='LoadDepthFromFile'))
    from mmpretrain.registry import TRANSFORMS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return TRANSFORMS.build(copy.deepcopy(dict(found)))


def cell_index(cell: Tuple[int, int], feat_hw: Tuple[int, int]) -> int:
    """Row-major index of ``cell`` ``(row, col)`` in an ``Hf x Wf`` grid of feature cells.

    Raises:
        ValueError: the cell is outside the grid.
    """
    rows, cols = feat_hw
    if not (0 <= cell[0] < rows and 0 <= cell[1] < cols):
        raise ValueError(f'cell ({cell[0]}, {cell[1]}) is outside the {rows}x{cols} grid of '
                         f'feature cells: R must be in [0, {rows}) and C in [0, {cols})')
    return cell[0] * cols + cell[1]


def cell_pairs(coord: torch.Tensor, depth_cells: torch.Tensor, cell: Tuple[int, int],
               dist_thr: float, depth_thr: float) -> Dict[str, np.ndarray]:
    """The cells of view 2 paired with ``cell`` of view 1, by :func:`pixel_pair_masks`.

    Args:
        coord: ``[2, 4]`` boxes ``[x_ul, y_ul, x_lr, y_lr]`` of view 1 and view 2.
        depth_cells: ``[2, Hf, Wf]`` per-cell depth in [0, 1], NaN unknown.
        cell: ``(row, col)`` of view 1.
        dist_thr: spatial threshold T, in bin diagonals of the coarser view.
        depth_thr: depth threshold T'.

    Returns:
        dict: bool ``(Hf, Wf)`` maps over the cells of view 2: ``pixpro_pos``,
        ``pixdepth_pos``, ``pixdepth_neg`` (PixDepth's negatives; cells in neither
        ``pixdepth_pos`` nor ``pixdepth_neg`` are close with an unknown depth).
    """
    feat_hw = tuple(depth_cells.shape[1:])
    index = cell_index(cell, feat_hw)
    coord1, coord2 = coord[0:1].double(), coord[1:2].double()
    pixpro_pos, _ = pixel_pair_masks(coord1, coord2, feat_hw, dist_thr)
    pos, neg = pixel_pair_masks(coord1, coord2, feat_hw, dist_thr, depth_cells[0:1],
                                depth_cells[1:2], depth_thr)
    return {name: mask[0, index].reshape(feat_hw).numpy()
            for name, mask in (('pixpro_pos', pixpro_pos), ('pixdepth_pos', pos),
                               ('pixdepth_neg', neg))}


def sample_views(views, results: dict, cell: Tuple[int, int], dist_thr: float, seed: int,
                 tries: int) -> Tuple[dict, int]:
    """Apply ``views`` with ``np.random`` seeds ``seed, seed + 1, ...`` until ``cell`` of view
    1 has a PixPro positive in view 2 (at most ``tries`` draws; the last one is kept).

    Returns:
        tuple: the transformed copy of ``results`` and the seed that made it.
    """
    feat_hw = (views.feat_size, views.feat_size)
    index = cell_index(cell, feat_hw)
    for k in range(max(1, tries)):
        np.random.seed(seed + k)
        out = views(dict(results))
        pos, _ = pixel_pair_masks(out['coord'][0:1].double(), out['coord'][1:2].double(),
                                  feat_hw, dist_thr)
        if pos[0, index].any():
            break
    return out, seed + k
