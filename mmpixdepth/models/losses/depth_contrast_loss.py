"""The Depth Contrast loss: InfoNCE between paired depth and reflectance embeddings."""
import torch
import torch.nn.functional as F


def depth_contrast_loss(depth_emb: torch.Tensor,
                        reflectance_emb: torch.Tensor,
                        temperature: float = 0.1,
                        symmetric: bool = False) -> torch.Tensor:
    """Contrast each depth embedding with the reflectance embedding of the same sample.

    The 2B embeddings are L2-normalised and compared by cosine similarity ``s``. For the depth
    anchor i the positive is reflectance i and the negatives are every other view of the batch,
    depth and reflectance (2B - 2 of them)::

        loss_i = -log( exp(s(d_i, r_i) / t) / sum_{v != d_i} exp(s(d_i, v) / t) )

    averaged over the B anchors. With ``symmetric=True`` the reflectance views are anchors too
    (positive: depth i) and the loss is the mean over all 2B anchors, i.e. the mean of the two
    directions.

    Args:
        depth_emb (Tensor): [B, D] embeddings of the depth views.
        reflectance_emb (Tensor): [B, D] embeddings of the reflectance views, row i paired
            with row i of ``depth_emb``.
        temperature (float): t. Defaults to 0.1.
        symmetric (bool): Use the reflectance views as anchors too. Defaults to False.

    Returns:
        Tensor: scalar float32 loss, at least 0 (0 when every anchor is far closer to its
        positive than to any negative; ``log(2B - 1)`` for random embeddings and a large batch).
    """
    if depth_emb.ndim != 2 or depth_emb.shape != reflectance_emb.shape:
        raise ValueError('depth and reflectance embeddings must both be [B, D], got '
                         f'{tuple(depth_emb.shape)} and {tuple(reflectance_emb.shape)}')
    batch = depth_emb.shape[0]
    with torch.autocast(depth_emb.device.type, enabled=False):  # float32 under mixed precision
        views = F.normalize(torch.cat([depth_emb, reflectance_emb]).float(), dim=1)  # [2B, D]
        anchors = views if symmetric else views[:batch]
        logits = anchors @ views.t() / temperature  # [A, 2B]
        itself = torch.eye(*logits.shape, dtype=torch.bool, device=logits.device)
        logits = logits.masked_fill(itself, float('-inf'))
        # the partner of view i is view i + B (mod 2B): depth i <-> reflectance i
        partner = torch.arange(2 * batch, device=logits.device).roll(batch)[:len(anchors)]
        return F.cross_entropy(logits, partner)
