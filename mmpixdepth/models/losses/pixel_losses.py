"""Pixel-level losses of PixPro (consistency) and PixContrast / PixDepth (InfoNCE).

Both take one direction (view 1 -> view 2); the caller symmetrises. They are computed in
float32 (float64 for float64 inputs) with autocast disabled, so half inputs are AMP safe.
"""
import torch
from torch import Tensor


def _check_inputs(a: Tensor, b: Tensor, masks: dict) -> None:
    if a.dim() != 3 or b.dim() != 3 or a.shape[:2] != b.shape[:2]:
        raise ValueError(f'features must be [B, C, N1] and [B, C, N2], got '
                         f'{tuple(a.shape)} and {tuple(b.shape)}')
    expected = (a.shape[0], a.shape[2], b.shape[2])
    for name, mask in masks.items():
        if tuple(mask.shape) != expected:
            raise ValueError(f'{name} must be [B, N1, N2] = {expected}, got {tuple(mask.shape)}')
        if mask.dtype != torch.bool:
            raise TypeError(f'{name} must be a bool tensor, got {mask.dtype}')


def _similarity(a: Tensor, b: Tensor) -> Tensor:
    """[B, N1, N2] dot products of [B, C, N1] and [B, C, N2], at least in float32."""
    dtype = torch.promote_types(torch.promote_types(a.dtype, b.dtype), torch.float32)
    return torch.einsum('bci,bcj->bij', a.to(dtype), b.to(dtype))


def pixpro_consistency_loss(y: Tensor, k: Tensor, pos: Tensor) -> Tensor:
    """PixPro's pixel-propagation consistency loss (positive pairs only), one direction.

    Per image ``sum_ij pos_ij <y_i, k_j> / (sum_ij pos_ij + 1e-6)``; the loss is ``-2`` times
    its batch mean, so it lies in [-2, 2] (-2: perfect agreement). An image with no positive
    pair contributes 0.

    Args:
        y (Tensor): [B, C, N1] propagated online features of view 1, L2-normalised over C.
        k (Tensor): [B, C, N2] target features of view 2, L2-normalised over C.
        pos (Tensor): [B, N1, N2] bool positive pairs.

    Returns:
        Tensor: scalar loss (float32, float64 for float64 inputs).
    """
    _check_inputs(y, k, dict(pos=pos))
    with torch.autocast(device_type=y.device.type, enabled=False):
        sim = _similarity(y, k)
        mask = pos.to(sim.dtype)
        per_image = (sim * mask).sum(dim=(1, 2)) / (mask.sum(dim=(1, 2)) + 1e-6)
        return -2 * per_image.mean()


def pixcontrast_loss(q: Tensor, k: Tensor, pos: Tensor, neg: Tensor, tau: float = 0.3) -> Tensor:
    """PixContrast InfoNCE loss over positive and negative pixel pairs, one direction.

    With ``s_ij = <q_i, k_j> / tau``, each view-1 pixel i having at least one positive gives
    ``-log(sum_{j in P_i} e^{s_ij} / (sum_{j in P_i} e^{s_ij} + sum_{m in N_i} e^{s_im}))``;
    the loss is the mean over such pixels of the whole batch (>= 0). Pairs in neither mask are
    ignored. Without any positive in the batch it is a zero still attached to the graph.

    Args:
        q (Tensor): [B, C, N1] online features of view 1, L2-normalised over C.
        k (Tensor): [B, C, N2] target features of view 2, L2-normalised over C.
        pos (Tensor): [B, N1, N2] bool positive pairs.
        neg (Tensor): [B, N1, N2] bool negative pairs (disjoint from ``pos``).
        tau (float): temperature. Defaults to 0.3.

    Returns:
        Tensor: scalar loss (float32, float64 for float64 inputs).
    """
    if not tau > 0:
        raise ValueError(f'tau must be > 0, got {tau}')
    _check_inputs(q, k, dict(pos=pos, neg=neg))
    with torch.autocast(device_type=q.device.type, enabled=False):
        logits = _similarity(q, k) / tau
        anchors = pos.any(dim=2, keepdim=True)  # [B, N1, 1]
        # Rows without a positive get finite logits so that neither the values nor the
        # gradients of logsumexp are NaN; they are dropped below.
        pos_logits = torch.where(anchors, logits.masked_fill(~pos, float('-inf')), 0.)
        all_logits = torch.where(anchors, logits.masked_fill(~(pos | neg), float('-inf')), 0.)
        per_pixel = all_logits.logsumexp(dim=2) - pos_logits.logsumexp(dim=2)  # [B, N1]
        anchors = anchors.squeeze(2)
        per_pixel = torch.where(anchors, per_pixel, 0.)
        return per_pixel.sum() / anchors.sum().clamp_min(1)
