"""Positive / negative cell-pair masks of PixPro and PixDepth.

Boxes are ``coord = [x_ul, y_ul, x_lr, y_lr]``: a view's crop in the ORIGINAL image, each axis
normalised to [0, 1]. A horizontal flip swaps ``x_ul`` and ``x_lr``, so the bin width is negative
and cell centres run right to left: flips need no special case. Cells are numbered row-major,
``i = r * W + c``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

Thresholds = Union[float, Sequence[float], None]


def threshold_groups(dist_thr: Thresholds,
                     depth_thr: Thresholds = None) -> List[Tuple[float, Optional[float]]]:
    """Pair spatial and depth thresholds into channel groups ``[(T_k, T'_k), ...]``.

    A single value is shared by every group; two lists are zipped pairwise (not crossed) and
    must have the same length. ``depth_thr=None`` disables the depth test (PixPro); either every
    group has a depth threshold or none.
    """
    dist = list(dist_thr) if isinstance(dist_thr, (list, tuple)) else [dist_thr]
    depth = list(depth_thr) if isinstance(depth_thr, (list, tuple)) else [depth_thr]
    if not dist or not depth or (len(dist) > 1 and len(depth) > 1 and len(dist) != len(depth)):
        raise ValueError(f'dist_thr {dist_thr} and depth_thr {depth_thr} are zipped into channel '
                         'groups and must have the same length (or one of them a single value)')
    n = max(len(dist), len(depth))
    dist, depth = dist * (n // len(dist)), depth * (n // len(depth))
    if None in depth and any(d is not None for d in depth):
        raise ValueError(f'depth_thr {depth_thr}: either every group has a depth threshold or '
                         'none')
    return list(zip(dist, depth))


def _check_feat_hw(feat_hw: Sequence[int]) -> Tuple[int, int]:
    if len(feat_hw) != 2 or any(int(s) != s or s < 1 for s in feat_hw):
        raise ValueError(f'feat_hw must be two positive ints (H, W), got {feat_hw}')
    return int(feat_hw[0]), int(feat_hw[1])


def _check_coord(coord: Tensor, name: str) -> None:
    if not isinstance(coord, Tensor) or coord.dim() != 2 or coord.shape[1] != 4:
        shape = tuple(coord.shape) if isinstance(coord, Tensor) else type(coord).__name__
        raise ValueError(f'{name} must be a [B, 4] tensor [x_ul, y_ul, x_lr, y_lr], got {shape}')


def cell_centers(coord: Tensor, feat_hw: Sequence[int]) -> Tuple[Tensor, Tensor]:
    """Centres of the feature cells of a view, in normalised original-image coordinates.

    Cell (r, c) has centre ``cx = (c + 0.5) * (x_lr - x_ul) / W + x_ul`` and
    ``cy = (r + 0.5) * (y_lr - y_ul) / H + y_ul``.

    Args:
        coord (Tensor): [B, 4] view boxes ``[x_ul, y_ul, x_lr, y_lr]`` (``x_ul > x_lr`` when
            the view is flipped).
        feat_hw (tuple[int, int]): feature-map size (H, W).

    Returns:
        tuple[Tensor, Tensor]: centres [B, H*W, 2] as (x, y), row-major cells, and the bin
        diagonal [B] ``sqrt(bin_w ** 2 + bin_h ** 2)``. Float32 (float64 for float64 boxes).
    """
    _check_coord(coord, 'coord')
    h, w = _check_feat_hw(feat_hw)
    coord = coord.to(torch.promote_types(coord.dtype, torch.float32))
    bin_w = (coord[:, 2] - coord[:, 0]) / w
    bin_h = (coord[:, 3] - coord[:, 1]) / h
    cols = torch.arange(w, dtype=coord.dtype, device=coord.device) + 0.5
    rows = torch.arange(h, dtype=coord.dtype, device=coord.device) + 0.5
    cx = cols[None] * bin_w[:, None] + coord[:, 0, None]  # [B, W]
    cy = rows[None] * bin_h[:, None] + coord[:, 1, None]  # [B, H]
    centers = torch.stack(
        [cx[:, None, :].expand(-1, h, -1), cy[:, :, None].expand(-1, -1, w)], dim=-1)
    return centers.reshape(coord.shape[0], h * w, 2), torch.sqrt(bin_w**2 + bin_h**2)


def pixel_distances(coord1: Tensor,
                    coord2: Tensor,
                    feat_hw: Sequence[int],
                    rows: Optional[slice] = None) -> Tensor:
    """Distances between the cells of two views, in bin diagonals of the coarser view.

    Args:
        coord1 (Tensor): [B, 4] boxes of view 1.
        coord2 (Tensor): [B, 4] boxes of view 2.
        feat_hw (tuple[int, int]): feature-map size (H, W) of both views.
        rows (slice, optional): only these cells of view 1 (rows of the result). Each entry is
            computed element-wise, so a block of rows equals the same rows of the full matrix
            bit for bit. Defaults to all cells.

    Returns:
        Tensor: [B, R, H*W] (R = H*W without ``rows``) Euclidean distance between the centre
        of cell i of view 1 (rows) and of cell j of view 2 (columns), divided by
        ``max(diag1, diag2)``.
    """
    _check_coord(coord1, 'coord1')
    _check_coord(coord2, 'coord2')
    if coord1.shape[0] != coord2.shape[0]:
        raise ValueError(f'coord1 and coord2 have different batch sizes: '
                         f'{coord1.shape[0]} vs {coord2.shape[0]}')
    centers1, diag1 = cell_centers(coord1, feat_hw)
    centers2, diag2 = cell_centers(coord2, feat_hw)
    if rows is not None:
        centers1 = centers1[:, rows]
    dx = centers1[:, :, None, 0] - centers2[:, None, :, 0]
    dy = centers1[:, :, None, 1] - centers2[:, None, :, 1]
    dist = torch.sqrt(dx * dx + dy * dy)
    # A zero-area box pair has no finite unit; the clamp keeps its distances non-NaN.
    unit = torch.maximum(diag1, diag2).clamp_min(torch.finfo(dist.dtype).eps)
    return dist / unit[:, None, None]


def _check_pair_args(coord1: Tensor, coord2: Tensor, feat_hw: Sequence[int],
                     depth1: Optional[Tensor], depth2: Optional[Tensor],
                     depth_thr: Optional[float]) -> Tuple[int, int]:
    """Validate the arguments of :func:`pixel_pair_masks`; returns (H, W)."""
    feat_hw = _check_feat_hw(feat_hw)
    _check_coord(coord1, 'coord1')
    _check_coord(coord2, 'coord2')
    if coord1.shape[0] != coord2.shape[0]:
        raise ValueError(f'coord1 and coord2 have different batch sizes: '
                         f'{coord1.shape[0]} vs {coord2.shape[0]}')
    if (depth1 is None) != (depth2 is None):
        raise ValueError('depth must be given for both views or for neither')
    if depth_thr is not None and depth1 is None:
        raise ValueError(f'depth_thr={depth_thr} needs depth1 and depth2')
    if depth_thr is not None and not depth_thr >= 0:
        raise ValueError(f'depth_thr must be >= 0, got {depth_thr}')
    if depth_thr is not None:
        expected = (coord1.shape[0], *feat_hw)
        for name, depth in (('depth1', depth1), ('depth2', depth2)):
            if not isinstance(depth, Tensor) or tuple(depth.shape) != expected:
                shape = tuple(depth.shape) if isinstance(depth, Tensor) else type(depth).__name__
                raise ValueError(f'{name} must be a [B, H, W] = {expected} tensor, got {shape}')
    return feat_hw


def _pair_geometry(coord1: Tensor, coord2: Tensor, feat_hw: Tuple[int, int],
                   depth1: Optional[Tensor], depth2: Optional[Tensor],
                   rows: Optional[slice]) -> Tuple[Tensor, Optional[Tensor], Optional[Tensor]]:
    """What the thresholds are applied to: distances, and with depth ``known`` and ``|d_i - d_j|``.

    Returns:
        tuple: ``dist`` [B, R, H*W] (:func:`pixel_distances`); ``known`` (bool, depth known on
        both cells) and ``diff`` (float) [B, R, H*W], both None without depth.
    """
    dist = pixel_distances(coord1, coord2, feat_hw, rows)
    if depth1 is None:
        return dist, None, None
    batch, n = coord1.shape[0], feat_hw[0] * feat_hw[1]
    dtype = torch.promote_types(torch.promote_types(depth1.dtype, depth2.dtype), torch.float32)
    d1 = depth1.to(dtype).reshape(batch, n, 1)
    d2 = depth2.to(dtype).reshape(batch, 1, n)
    if rows is not None:
        d1 = d1[:, rows]
    return dist, ~(torch.isnan(d1) | torch.isnan(d2)), (d1 - d2).abs()


def _threshold(dist: Tensor, known: Optional[Tensor], diff: Optional[Tensor], dist_thr: float,
               depth_thr: Optional[float]) -> Tuple[Tensor, Tensor]:
    """``pos, neg`` of one pair of thresholds (see :func:`pixel_pair_masks`)."""
    close = dist < dist_thr
    if depth_thr is None:
        return close, ~close
    same_depth = known & (diff <= depth_thr)
    other_depth = known & (diff > depth_thr)
    return close & same_depth, ~close | other_depth


def pixel_pair_masks(coord1: Tensor,
                     coord2: Tensor,
                     feat_hw: Sequence[int],
                     dist_thr: float,
                     depth1: Optional[Tensor] = None,
                     depth2: Optional[Tensor] = None,
                     depth_thr: Optional[float] = None,
                     rows: Optional[slice] = None) -> Tuple[Tensor, Tensor]:
    """Positive and negative cell pairs of two views (PixPro, or PixDepth with depth).

    A pair (cell i of view 1, cell j of view 2) is spatially close when
    :func:`pixel_distances` ``< dist_thr``. Without depth (PixPro), close pairs are positives
    and all others negatives. With depth (PixDepth, ``A_final = A_image * A_depth``):

    - positive: close, depth known on both cells and ``|d_i - d_j| <= depth_thr``;
    - negative: not close, or depth known on both cells and ``|d_i - d_j| > depth_thr``;
    - neither: close with an unknown (NaN) depth on either cell.

    Args:
        coord1 (Tensor): [B, 4] boxes of view 1 in the original image (normalised).
        coord2 (Tensor): [B, 4] boxes of view 2.
        feat_hw (tuple[int, int]): feature-map size (H, W).
        dist_thr (float): spatial threshold T, in bin diagonals of the coarser view.
        depth1 (Tensor, optional): [B, H, W] per-cell depth of view 1 in [0, 1], NaN unknown.
        depth2 (Tensor, optional): [B, H, W] per-cell depth of view 2.
        depth_thr (float, optional): depth threshold T' (same unit as depth). None: PixPro.
        rows (slice, optional): only these cells of view 1; the block equals the same rows of
            the full masks exactly. Defaults to all cells.

    Returns:
        tuple[Tensor, Tensor]: disjoint bool masks ``pos, neg`` of shape [B, R, H*W]
        (rows: cells of view 1, R = H*W without ``rows``; columns: cells of view 2).
    """
    feat_hw = _check_pair_args(coord1, coord2, feat_hw, depth1, depth2, depth_thr)
    if depth_thr is None:
        depth1 = depth2 = None
    return _threshold(*_pair_geometry(coord1, coord2, feat_hw, depth1, depth2, rows), dist_thr,
                      depth_thr)


class PixelPairMasks:
    """Masks of :func:`pixel_pair_masks` for G threshold groups, made block by block on demand.

    Holds the (validated) arguments instead of [G*B, H*W, H*W] masks, so a loss can walk over
    blocks of rows and keep only [G*B, rows, H*W] masks alive at a time (memory held: the
    boxes and the per-cell depth, O(B * H * W)). The distances and depth differences of a
    block are computed once and thresholded for every group; the groups' masks are stacked
    along the batch dimension, group-major (``[group 0: images 0..B-1, group 1: ...]``), to
    match features stacked the same way.

    Args:
        coord1, coord2, feat_hw, depth1, depth2: as in :func:`pixel_pair_masks`.
        dist_thr, depth_thr: the thresholds of the groups, paired by :func:`threshold_groups`;
            ``depth_thr=None``: no depth test (PixPro).
    """

    def __init__(self,
                 coord1: Tensor,
                 coord2: Tensor,
                 feat_hw: Sequence[int],
                 dist_thr: Thresholds,
                 depth1: Optional[Tensor] = None,
                 depth2: Optional[Tensor] = None,
                 depth_thr: Thresholds = None) -> None:
        self.thresholds = threshold_groups(dist_thr, depth_thr)
        depths = [depth for _, depth in self.thresholds]
        for depth in depths:
            self.feat_hw = _check_pair_args(coord1, coord2, feat_hw, depth1, depth2, depth)
        self.coord1, self.coord2 = coord1, coord2
        self.depth1, self.depth2 = (None, None) if depths[0] is None else (depth1, depth2)

    @property
    def shape(self) -> Tuple[int, int, int]:
        """(G*B, H*W, H*W): the shape of the full masks."""
        n = self.feat_hw[0] * self.feat_hw[1]
        return len(self.thresholds) * self.coord1.shape[0], n, n

    def rows(self, start: int, stop: int) -> Tuple[Tensor, Tensor]:
        """``pos, neg`` [G*B, stop - start, H*W] of view-1 cells ``start:stop``."""
        geometry = _pair_geometry(self.coord1, self.coord2, self.feat_hw, self.depth1,
                                  self.depth2, slice(start, stop))
        if len(self.thresholds) == 1:
            return _threshold(*geometry, *self.thresholds[0])
        pos, neg = zip(*(_threshold(*geometry, *thr) for thr in self.thresholds))
        return torch.cat(pos), torch.cat(neg)

    def transpose(self) -> 'PixelPairMasks':
        """The masks with the views swapped: exactly the transposed masks (distances and
        depth differences are symmetric)."""
        dists, depths = zip(*self.thresholds)
        return PixelPairMasks(self.coord2, self.coord1, self.feat_hw, list(dists), self.depth2,
                              self.depth1, None if self.depth1 is None else list(depths))

    def directions(self, chunk_size: Optional[int]):
        """The masks of both loss directions (view 1 -> 2, view 2 -> 1), as the pixel losses
        take them: ``((pos, neg), (pos^T, neg^T))`` computed once in full without
        ``chunk_size``, else ``((self, None), (self.transpose(), None))`` for block-wise use."""
        if chunk_size is None:
            pos, neg = self.rows(0, self.shape[1])
            return (pos, neg), (pos.transpose(1, 2), neg.transpose(1, 2))
        return (self, None), (self.transpose(), None)
