"""How many wrong positives the depth test removes: pair statistics against segmentation labels.

A cell pair of the two views is "cross-label" when the labels at the two cell centres differ (the
cells lie on different objects, or on an object and the background). PixPro takes every
spatially close pair as positive; PixDepth also needs the depths to be close. Counting, over
many view pairs, the spatial positives, the cross-label ones among them, and which of them the
depth test removes tells whether (and at which thresholds) depth cleans the positives.
"""
from typing import Dict, List, Sequence

import numpy as np
import torch
from torch import Tensor

from mmpixdepth.models.utils import cell_centers, pixel_pair_masks


def cell_labels(seg_map: np.ndarray, coord: Tensor, feat_hw: Sequence[int]) -> Tensor:
    """Label at the centre of every cell of each view (nearest pixel).

    Args:
        seg_map: ``(H, W)`` integer label map of the original image.
        coord: ``[V, 4]`` normalised view boxes (PixProViews' ``coord``).
        feat_hw: feature-map size ``(Hf, Wf)``.

    Returns:
        Tensor: int64 ``[V, Hf*Wf]``, row-major cells.
    """
    height, width = seg_map.shape
    centers, _ = cell_centers(coord.double(), feat_hw)
    xs = (centers[..., 0] * (width - 1)).round().long().clamp(0, width - 1)
    ys = (centers[..., 1] * (height - 1)).round().long().clamp(0, height - 1)
    return torch.from_numpy(seg_map.astype(np.int64))[ys, xs]


def _with_rates(dist_thr: float, depth_thr: float, n: Dict[str, int]) -> Dict:
    def rate(num, den):
        return n[num] / n[den] if n[den] else float('nan')

    return dict(dist_thr=float(dist_thr), depth_thr=float(depth_thr), **n,
                pixpro_cross_rate=rate('pixpro_cross', 'pixpro_pos'),
                pixdepth_cross_rate=rate('pixdepth_cross', 'pixdepth_pos'),
                removed_cross_share=rate('removed_cross', 'removed'),
                cross_removed_rate=rate('removed_cross', 'pixpro_cross'),
                same_removed_rate=rate('removed_same', 'pixpro_same'))


def pair_statistics(coord: Tensor, depth_cells: Tensor, labels: Tensor,
                    dist_thrs: Sequence[float], depth_thrs: Sequence[float],
                    ignore_index: int = 255) -> List[Dict]:
    """Counts of PixPro and PixDepth positives, split by whether the two cells share a label.

    Args:
        coord: ``[B, 2, 4]`` view boxes.
        depth_cells: ``[B, 2, Hf, Wf]`` per-cell depth in [0, 1], NaN unknown.
        labels: ``[B, 2, Hf*Wf]`` label at each cell centre (:func:`cell_labels`).
        dist_thrs: spatial thresholds T.
        depth_thrs: depth thresholds T'; every (T, T') combination is counted.
        ignore_index: pairs with this label on either cell are not counted.

    Returns:
        list[dict]: one row per (T, T') with the counts ``pixpro_pos``, ``pixpro_cross``,
        ``pixdepth_pos``, ``pixdepth_cross``, ``removed`` (PixPro positives that PixDepth does
        not keep: far in depth or depth unknown), ``removed_cross``, and the rates
        ``pixpro_cross_rate`` (cross / positives), ``pixdepth_cross_rate``,
        ``removed_cross_share`` (share of the removed pairs that are cross-label: the depth
        test's precision), ``cross_removed_rate`` (share of PixPro's cross-label positives
        that are removed: its recall) and ``same_removed_rate`` (share of PixPro's same-label
        positives lost).
    """
    feat_hw = tuple(depth_cells.shape[-2:])
    lab1, lab2 = labels[:, 0, :, None], labels[:, 1, None, :]
    valid = (lab1 != ignore_index) & (lab2 != ignore_index)
    cross = (lab1 != lab2) & valid
    same = (lab1 == lab2) & valid
    coord1, coord2 = coord[:, 0].double(), coord[:, 1].double()
    rows = []
    for dist_thr in dist_thrs:
        spatial, _ = pixel_pair_masks(coord1, coord2, feat_hw, dist_thr)
        spatial = spatial & valid
        for depth_thr in depth_thrs:
            pos, _ = pixel_pair_masks(coord1, coord2, feat_hw, dist_thr, depth_cells[:, 0],
                                      depth_cells[:, 1], depth_thr)
            pos = pos & valid
            removed = spatial & ~pos
            n = dict(pixpro_pos=spatial.sum(), pixpro_cross=(spatial & cross).sum(),
                     pixpro_same=(spatial & same).sum(), pixdepth_pos=pos.sum(),
                     pixdepth_cross=(pos & cross).sum(), removed=removed.sum(),
                     removed_cross=(removed & cross).sum(), removed_same=(removed & same).sum())
            rows.append(_with_rates(dist_thr, depth_thr,
                                    {key: int(value) for key, value in n.items()}))
    return rows


def merge_counts(rows_list: Sequence[List[Dict]]) -> List[Dict]:
    """Sum the counts of several :func:`pair_statistics` results (same thresholds, same order)
    and recompute the rates."""
    merged = []
    for rows in zip(*rows_list):
        n = {key: sum(r[key] for r in rows) for key in rows[0] if isinstance(rows[0][key], int)}
        merged.append(_with_rates(rows[0]['dist_thr'], rows[0]['depth_thr'], n))
    return merged
