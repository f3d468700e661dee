"""Positive / negative cell-pair masks of PixPro and PixDepth.

Boxes are ``coord = [x_ul, y_ul, x_lr, y_lr]``: a view's crop in the ORIGINAL image, each axis
normalised to [0, 1]. A horizontal flip swaps ``x_ul`` and ``x_lr``, so the bin width is negative
and cell centres run right to left: flips need no special case. Cells are numbered row-major,
``i = r * W + c``.
"""
from typing import Optional, Sequence, Tuple

import torch
from torch import Tensor


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


def pixel_distances(coord1: Tensor, coord2: Tensor, feat_hw: Sequence[int]) -> Tensor:
    """Distances between the cells of two views, in bin diagonals of the coarser view.

    Args:
        coord1 (Tensor): [B, 4] boxes of view 1.
        coord2 (Tensor): [B, 4] boxes of view 2.
        feat_hw (tuple[int, int]): feature-map size (H, W) of both views.

    Returns:
        Tensor: [B, H*W, H*W] Euclidean distance between the centre of cell i of view 1
        (rows) and of cell j of view 2 (columns), divided by ``max(diag1, diag2)``.
    """
    _check_coord(coord1, 'coord1')
    _check_coord(coord2, 'coord2')
    if coord1.shape[0] != coord2.shape[0]:
        raise ValueError(f'coord1 and coord2 have different batch sizes: '
                         f'{coord1.shape[0]} vs {coord2.shape[0]}')
    centers1, diag1 = cell_centers(coord1, feat_hw)
    centers2, diag2 = cell_centers(coord2, feat_hw)
    dist = (centers1[:, :, None, :] - centers2[:, None, :, :]).norm(dim=-1)
    # A zero-area box pair has no finite unit; the clamp keeps its distances non-NaN.
    unit = torch.maximum(diag1, diag2).clamp_min(torch.finfo(dist.dtype).eps)
    return dist / unit[:, None, None]


def pixel_pair_masks(coord1: Tensor,
                     coord2: Tensor,
                     feat_hw: Sequence[int],
                     dist_thr: float,
                     depth1: Optional[Tensor] = None,
                     depth2: Optional[Tensor] = None,
                     depth_thr: Optional[float] = None) -> Tuple[Tensor, Tensor]:
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

    Returns:
        tuple[Tensor, Tensor]: disjoint bool masks ``pos, neg`` of shape [B, H*W, H*W]
        (rows: cells of view 1, columns: cells of view 2).
    """
    h, w = _check_feat_hw(feat_hw)
    if (depth1 is None) != (depth2 is None):
        raise ValueError('depth must be given for both views or for neither')
    if depth_thr is not None and depth1 is None:
        raise ValueError(f'depth_thr={depth_thr} needs depth1 and depth2')
    if depth_thr is not None and not depth_thr >= 0:
        raise ValueError(f'depth_thr must be >= 0, got {depth_thr}')
    dist = pixel_distances(coord1, coord2, (h, w))
    close = dist < dist_thr
    if depth_thr is None:
        return close, ~close

    batch = coord1.shape[0]
    for name, depth in (('depth1', depth1), ('depth2', depth2)):
        if not isinstance(depth, Tensor) or tuple(depth.shape) != (batch, h, w):
            shape = tuple(depth.shape) if isinstance(depth, Tensor) else type(depth).__name__
            raise ValueError(f'{name} must be a [B, H, W] = {(batch, h, w)} tensor, got {shape}')
    dtype = torch.promote_types(torch.promote_types(depth1.dtype, depth2.dtype), torch.float32)
    d1 = depth1.to(dtype).reshape(batch, h * w, 1)
    d2 = depth2.to(dtype).reshape(batch, 1, h * w)
    known = ~(torch.isnan(d1) | torch.isnan(d2))
    diff = (d1 - d2).abs()
    same_depth = known & (diff <= depth_thr)
    other_depth = known & (diff > depth_thr)
    return close & same_depth, ~close | other_depth
