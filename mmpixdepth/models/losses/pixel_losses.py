"""Pixel-level losses of PixPro (consistency) and PixContrast / PixDepth (InfoNCE).

Both take one direction (view 1 -> view 2); the caller symmetrises. They are computed in
float32 (float64 for float64 inputs) with autocast disabled, so half inputs are AMP safe.

The pair matrices grow as (H*W)^2 per image. With ``chunk_size`` the view-1 cells are taken
``chunk_size`` rows at a time: masks and similarities exist only as [B, chunk_size, N2] blocks
and per-image sums are accumulated over the blocks. Where the autograd graph of a block would
keep [B, chunk_size, N2] tensors (the contrast loss; the consistency loss when ``k`` needs
gradients) the block runs under :func:`torch.utils.checkpoint.checkpoint`: the graph keeps only
the inputs and the backward pass recomputes one block at a time. The consistency loss with a
gradient-free ``k`` (the momentum encoder's) keeps [B, chunk_size, C] per block and recomputes
nothing. The result equals the unchunked one up to the order of the float summations.
"""
from typing import Callable, Optional, Tuple, Union

import torch
from torch import Tensor
from torch.utils.checkpoint import checkpoint

from ..utils import PixelPairMasks

Masks = Union[Tensor, PixelPairMasks]


def _check_features(a: Tensor, b: Tensor) -> None:
    if a.dim() != 3 or b.dim() != 3 or a.shape[:2] != b.shape[:2]:
        raise ValueError(f'features must be [B, C, N1] and [B, C, N2], got '
                         f'{tuple(a.shape)} and {tuple(b.shape)}')


def _mask_blocks(a: Tensor, b: Tensor, pos: Masks,
                 neg: Optional[Tensor]) -> Callable[[int, int], Tuple[Tensor, Tensor]]:
    """Check the masks against features [B, C, N1] and [B, C, N2]; return their block getter.

    The getter maps ``(start, stop)`` to ``pos, neg`` [B, stop - start, N2], the pairs of
    view-1 cells ``start:stop``. ``pos`` is a bool tensor [B, N1, N2] (with ``neg`` a bool
    tensor, or None when the loss needs no negatives) or a :class:`PixelPairMasks` (its own
    negatives, ``neg`` None).
    """
    _check_features(a, b)
    expected = (a.shape[0], a.shape[2], b.shape[2])
    if isinstance(pos, PixelPairMasks):
        if neg is not None:
            raise ValueError('neg must be None when pos is a PixelPairMasks (it holds both)')
        if tuple(pos.shape) != expected:
            raise ValueError(f'pos must be [B, N1, N2] = {expected}, got {tuple(pos.shape)}')
        return pos.rows
    masks = dict(pos=pos) if neg is None else dict(pos=pos, neg=neg)
    for name, mask in masks.items():
        if tuple(mask.shape) != expected:
            raise ValueError(f'{name} must be [B, N1, N2] = {expected}, got {tuple(mask.shape)}')
        if mask.dtype != torch.bool:
            raise TypeError(f'{name} must be a bool tensor, got {mask.dtype}')
    return lambda start, stop: (pos[:, start:stop], None if neg is None else neg[:, start:stop])


def check_chunk_size(chunk_size: Optional[int]) -> None:
    """Raise ValueError unless ``chunk_size`` (view-1 cells per block) is a positive int or
    None."""
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
                                   or chunk_size < 1):
        raise ValueError(f'chunk_size must be a positive int or None, got {chunk_size!r}')


def _accumulate(block_fn: Callable, a: Tensor, b: Tensor, chunk_size: Optional[int],
                checkpointed: bool = True) -> Tuple[Tensor, Tensor]:
    """Sums over blocks of view-1 cells of ``block_fn(a, b, start, stop)``, a pair of [B].

    Without ``chunk_size`` one block holds all cells. With ``checkpointed``, chunked blocks
    run under non-reentrant checkpointing: only ``a`` and ``b`` are kept for the backward
    pass, which recomputes each block in turn.
    """
    n = a.shape[2]
    check_chunk_size(chunk_size)
    if chunk_size is None:
        return block_fn(a, b, 0, n)
    total = count = 0
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        if checkpointed:
            block_total, block_count = checkpoint(block_fn, a, b, start, stop,
                                                  use_reentrant=False)
        else:
            block_total, block_count = block_fn(a, b, start, stop)
        total, count = total + block_total, count + block_count
    return total, count


def _float_dtype(a: Tensor, b: Tensor) -> torch.dtype:
    """The dtype of the computation: float32, or float64 for float64 inputs."""
    return torch.promote_types(torch.promote_types(a.dtype, b.dtype), torch.float32)


def _reduce_groups(per_group: Tensor, reduction: str) -> Tensor:
    """``per_group`` [groups] -> its mean (``'mean'``) or itself (``'none'``)."""
    if reduction == 'none':
        return per_group
    if reduction == 'mean':
        return per_group.mean()
    raise ValueError(f"reduction must be 'mean' or 'none', got {reduction!r}")


def _check_groups(groups, batch: int) -> None:
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1 or batch % groups:
        raise ValueError(f'groups must be a positive int dividing the batch size {batch}, '
                         f'got {groups!r}')


def pixpro_consistency_loss(y: Tensor, k: Tensor, pos: Masks,
                            chunk_size: Optional[int] = None,
                            groups: int = 1,
                            reduction: str = 'mean') -> Tensor:
    """PixPro's pixel-propagation consistency loss (positive pairs only), one direction.

    Per image ``sum_ij pos_ij <y_i, k_j> / (sum_ij pos_ij + 1e-6)``; the loss is ``-2`` times
    its batch mean, so it lies in [-2, 2] (-2: perfect agreement). An image with no positive
    pair contributes 0. The masked sum is computed as ``sum_i <y_i, sum_j pos_ij k_j>``, so no
    [B, N1, N2] float similarity is formed.

    Args:
        y (Tensor): [B, C, N1] propagated online features of view 1, L2-normalised over C.
        k (Tensor): [B, C, N2] target features of view 2, L2-normalised over C.
        pos (Tensor | PixelPairMasks): [B, N1, N2] bool positive pairs, or the masks to
            compute block by block.
        chunk_size (int, optional): view-1 cells per block (see the module docstring).
            Defaults to None: one block, no checkpointing.
        groups (int): the batch is this many stacked equal parts (channel groups with their
            own thresholds, group-major); each part's loss is ``-2`` times its image mean.
            Defaults to 1.
        reduction (str): 'mean' (the mean of the part losses) or 'none' ([groups]).

    Returns:
        Tensor: the loss, scalar or [groups] (float32, float64 for float64 inputs).
    """
    _check_groups(groups, y.shape[0])
    blocks = _mask_blocks(y, k, pos, None)
    dtype = _float_dtype(y, k)

    def block_sums(y, k, start, stop):
        pos = blocks(start, stop)[0].to(dtype)  # [B, R, N2]
        # [B, R, C + 1]: sum_j pos_ij k_j, and in the last channel the count sum_j pos_ij
        k_and_one = torch.cat([k.to(dtype), torch.ones_like(k[:, :1], dtype=dtype)], dim=1)
        pulled = torch.bmm(pos, k_and_one.transpose(1, 2))
        total = (y[:, :, start:stop].to(dtype).transpose(1, 2) * pulled[..., :-1]).sum((1, 2))
        return total, pulled[..., -1].sum(dim=1)

    with torch.autocast(device_type=y.device.type, enabled=False):
        # with a gradient-free k a block's graph keeps y and pulled: no need to recompute
        total, count = _accumulate(block_sums, y, k, chunk_size, checkpointed=k.requires_grad)
        per_group = -2 * (total / (count + 1e-6)).view(groups, -1).mean(dim=1)
        return _reduce_groups(per_group, reduction)


def pixcontrast_loss(q: Tensor,
                     k: Tensor,
                     pos: Masks,
                     neg: Optional[Tensor] = None,
                     tau: float = 0.3,
                     chunk_size: Optional[int] = None,
                     groups: int = 1,
                     reduction: str = 'mean') -> Tensor:
    """PixContrast InfoNCE loss over positive and negative pixel pairs, one direction.

    With ``s_ij = <q_i, k_j> / tau``, each view-1 pixel i having at least one positive gives
    ``-log(sum_{j in P_i} e^{s_ij} / (sum_{j in P_i} e^{s_ij} + sum_{m in N_i} e^{s_im}))``
    (PixDepth paper, Eq. 2). These are averaged over such pixels within each image, then over
    the images of the batch that have one (>= 0). Pairs in neither mask are ignored. Without any
    positive in the batch it is a zero still attached to the graph.

    Args:
        q (Tensor): [B, C, N1] online features of view 1, L2-normalised over C.
        k (Tensor): [B, C, N2] target features of view 2, L2-normalised over C.
        pos (Tensor | PixelPairMasks): [B, N1, N2] bool positive pairs, or the masks (both
            kinds) to compute block by block.
        neg (Tensor, optional): [B, N1, N2] bool negative pairs (disjoint from ``pos``); None
            when ``pos`` is a :class:`PixelPairMasks`.
        tau (float): temperature. Defaults to 0.3.
        chunk_size (int, optional): view-1 cells per block (see the module docstring).
            Defaults to None: one block, no checkpointing.
        groups (int): the batch is this many stacked equal parts (e.g. channel groups with
            their own thresholds, group-major), each with its own image mean. Defaults to 1.
        reduction (str): 'mean' (the mean of the part losses) or 'none' ([groups]).

    Returns:
        Tensor: the loss, scalar or [groups] (float32, float64 for float64 inputs).
    """
    if not tau > 0:
        raise ValueError(f'tau must be > 0, got {tau}')
    if neg is None and not isinstance(pos, PixelPairMasks):
        raise ValueError('neg is required when pos is a mask tensor')
    _check_groups(groups, q.shape[0])
    blocks = _mask_blocks(q, k, pos, neg)
    dtype = _float_dtype(q, k)

    def block_sums(q, k, start, stop):
        logits = torch.bmm(q[:, :, start:stop].to(dtype).transpose(1, 2), k.to(dtype)) / tau
        pos, neg = blocks(start, stop)  # [B, R, N2]
        anchors = pos.any(dim=2, keepdim=True)  # [B, R, 1]
        # Rows without a positive get finite logits so that neither the values nor the
        # gradients of logsumexp are NaN; they are dropped below.
        pos_logits = torch.where(anchors, logits.masked_fill(~pos, float('-inf')), 0.)
        all_logits = torch.where(anchors, logits.masked_fill(~(pos | neg), float('-inf')), 0.)
        per_pixel = all_logits.logsumexp(dim=2) - pos_logits.logsumexp(dim=2)  # [B, R]
        anchors = anchors.squeeze(2)
        return torch.where(anchors, per_pixel, 0.).sum(dim=1), anchors.sum(dim=1)

    with torch.autocast(device_type=q.device.type, enabled=False):
        total, count = _accumulate(block_sums, q, k, chunk_size)  # [B] each
        per_image = (total / count.clamp_min(1)).view(groups, -1)
        images = (count > 0).view(groups, -1).sum(dim=1)  # images with an anchor pixel
        per_group = per_image.sum(dim=1) / images.clamp_min(1)
        return _reduce_groups(per_group, reduction)
