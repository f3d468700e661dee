"""Chunked pixel losses equal the unchunked ones (values, gradients, masks) and stay small."""
import random

import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmpixdepth  # noqa: F401
from mmpixdepth.models import (PixelPairMasks, pixcontrast_loss, pixel_pair_masks,
                               pixpro_consistency_loss)
from helpers import random_depth, random_views

FEAT_HW = (5, 6)  # 30 cells
CHUNKS = [1, 4, 7, 29, 30, 64]  # 4, 7 and 29 do not divide 30


def pair_setup(seed, batch=3, channels=8, dtype=torch.float64, use_depth=True):
    rng, gen = random.Random(seed), torch.Generator().manual_seed(seed)
    coord1, coord2 = random_views(rng, batch), random_views(rng, batch)
    depth1 = random_depth(gen, batch, FEAT_HW) if use_depth else None
    depth2 = random_depth(gen, batch, FEAT_HW) if use_depth else None
    n = FEAT_HW[0] * FEAT_HW[1]
    q, k = (F.normalize(torch.randn(batch, channels, n, generator=gen, dtype=dtype), dim=1)
            for _ in range(2))
    return coord1, coord2, depth1, depth2, q, k


def value_and_grads(fn, q, k, *args, grad_k=True, **kwargs):
    """Loss and gradients w.r.t. q and k (k's is zero when it does not require them)."""
    q, k = q.clone().requires_grad_(True), k.clone().requires_grad_(grad_k)
    loss = fn(q, k, *args, **kwargs)
    grad_q, = torch.autograd.grad(loss, (q, ), retain_graph=grad_k)
    grad_k = torch.autograd.grad(loss, (k, ))[0] if grad_k else torch.zeros_like(k)
    return loss, grad_q, grad_k


@pytest.mark.parametrize('use_depth', [False, True])
@pytest.mark.parametrize('chunk', CHUNKS)
def test_mask_blocks_equal_full_masks_exactly(use_depth, chunk):
    coord1, coord2, depth1, depth2, _, _ = pair_setup(chunk, use_depth=use_depth)
    for dtype in (torch.float64, torch.float32):
        c1, c2 = coord1.to(dtype), coord2.to(dtype)
        args = (c1, c2, FEAT_HW, 0.7, depth1, depth2, 0.3 if use_depth else None)
        pos, neg = pixel_pair_masks(*args)
        masks = PixelPairMasks(*args)
        assert masks.shape == tuple(pos.shape)
        n = pos.shape[1]
        blocks = [masks.rows(s, min(s + chunk, n)) for s in range(0, n, chunk)]
        assert torch.equal(torch.cat([b[0] for b in blocks], 1), pos)
        assert torch.equal(torch.cat([b[1] for b in blocks], 1), neg)
        # the other direction (views swapped) is exactly the transpose
        pos_t, neg_t = masks.transpose().rows(0, n)
        assert torch.equal(pos_t, pos.transpose(1, 2)) and torch.equal(neg_t, neg.transpose(1, 2))


def test_group_masks_are_the_stacked_masks_of_each_group():
    """Multi-threshold masks: one geometry, G thresholds, stacked group-major, exactly."""
    coord1, coord2, depth1, depth2, _, _ = pair_setup(9)
    dist_thr, depth_thr = [0.3, 0.5, 0.7], [0.3, 0.5, 0.7]
    masks = PixelPairMasks(coord1, coord2, FEAT_HW, dist_thr, depth1, depth2, depth_thr)
    assert masks.shape == (9, 30, 30)
    expected = [pixel_pair_masks(coord1, coord2, FEAT_HW, t, depth1, depth2, td)
                for t, td in zip(dist_thr, depth_thr)]
    for start, stop in ((0, 30), (4, 11), (29, 30)):
        pos, neg = masks.rows(start, stop)
        assert torch.equal(pos, torch.cat([p[:, start:stop] for p, _ in expected]))
        assert torch.equal(neg, torch.cat([n[:, start:stop] for _, n in expected]))
    pos_t, _ = masks.transpose().rows(0, 30)
    assert torch.equal(pos_t, torch.cat([p.transpose(1, 2) for p, _ in expected]))
    no_depth = PixelPairMasks(coord1, coord2, FEAT_HW, dist_thr, depth1, depth2)
    assert torch.equal(no_depth.rows(0, 30)[0], torch.cat(
        [pixel_pair_masks(coord1, coord2, FEAT_HW, t)[0] for t in dist_thr]))
    with pytest.raises(ValueError, match='same length'):
        PixelPairMasks(coord1, coord2, FEAT_HW, dist_thr, depth1, depth2, [0.3, 0.5])
    with pytest.raises(ValueError, match='every group'):
        PixelPairMasks(coord1, coord2, FEAT_HW, [0.3, 0.5], depth1, depth2, [0.3, None])


@pytest.mark.parametrize('chunk', [None, 7])
def test_contrast_groups_average_the_group_losses(chunk):
    coord1, coord2, depth1, depth2, q, k = pair_setup(10, batch=2)
    thresholds = [(0.5, 0.2), (1.0, 0.5)]
    stacked = PixelPairMasks(coord1, coord2, FEAT_HW, [0.5, 1.0], depth1, depth2, [0.2, 0.5])
    got = pixcontrast_loss(q.repeat(2, 1, 1), k.repeat(2, 1, 1), stacked, tau=0.2,
                           chunk_size=chunk, groups=2)
    expected = torch.stack([
        pixcontrast_loss(q, k, *pixel_pair_masks(coord1, coord2, FEAT_HW, t, depth1, depth2, td),
                         tau=0.2) for t, td in thresholds]).mean()
    assert torch.allclose(got, expected, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match='groups'):
        pixcontrast_loss(q, k, *pixel_pair_masks(coord1, coord2, FEAT_HW, 0.5), groups=3)


@pytest.mark.parametrize('loss_type', ['propagation', 'contrast'])
@pytest.mark.parametrize('dist_thr, depth_thr', [(0.7, None), (0.7, 0.3), (1.5, 0.1)])
def test_chunked_losses_equal_unchunked(loss_type, dist_thr, depth_thr):
    coord1, coord2, depth1, depth2, q, k = pair_setup(3, use_depth=depth_thr is not None)
    args = (coord1, coord2, FEAT_HW, dist_thr, depth1, depth2, depth_thr)
    pos, neg = pixel_pair_masks(*args)
    lazy = PixelPairMasks(*args)
    if loss_type == 'propagation':
        full = value_and_grads(pixpro_consistency_loss, q, k, pos)
        chunked = [value_and_grads(pixpro_consistency_loss, q, k, masks, chunk_size=c)
                   for c in CHUNKS for masks in (pos, lazy)]
        # a gradient-free k (no checkpointing): the same value and gradient of q
        for c in CHUNKS:
            loss, grad_q, _ = value_and_grads(pixpro_consistency_loss, q, k, lazy, chunk_size=c,
                                              grad_k=False)
            chunked.append((loss, grad_q, full[2]))
    else:
        full = value_and_grads(pixcontrast_loss, q, k, pos, neg, 0.2)
        chunked = [value_and_grads(pixcontrast_loss, q, k, *masks, tau=0.2, chunk_size=c)
                   for c in CHUNKS for masks in ((pos, neg), (lazy, None))]
    assert full[0].item() != 0 and full[1].abs().max() > 0 and full[2].abs().max() > 0
    for got in chunked:
        for a, b in zip(got, full):
            assert a.dtype == torch.float64
            assert torch.allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.fixture
def max_iters():
    MessageHub.get_current_instance().update_info('max_iters', 100)


def pixdepth(loss_type, chunk):
    torch.manual_seed(0)
    head = (dict(type='PixelContrastHead') if loss_type == 'contrast' else
            dict(type='PixelPropagationHead', ppm=dict(type='PixelPropagation', channels=24)))
    return MODELS.build(dict(
        type='PixDepth',
        backbone=dict(type='ResNet', depth=18, base_channels=16, stem_channels=16,
                      out_indices=(3, ), norm_cfg=dict(type='BN')),
        neck=dict(type='PixelProjector', in_channels=128, hid_channels=16, out_channels=24,
                  norm_cfg=dict(type='BN')),
        head=dict(head, chunk_size=chunk), dist_thr=[0.3, 0.5, 0.7], depth_thr=[0.3, 0.5, 0.7]))


@pytest.mark.parametrize('loss_type', ['propagation', 'contrast'])
def test_model_pixel_loss_chunked_equals_unchunked(loss_type, max_iters):
    """PixDepth with 3 thresholds: loss and gradients of all four feature maps (float32)."""
    coord1, coord2, depth1, depth2, _, _ = pair_setup(5, batch=2)
    coord = torch.stack([coord1, coord2], 1).float()
    depth = torch.stack([depth1, depth2], 1).float()
    gen = torch.Generator().manual_seed(6)
    feats = [torch.randn(2, 24, *FEAT_HW, generator=gen) for _ in range(4)]

    def run(chunk):
        inputs = [f.clone().requires_grad_(True) for f in feats]
        model = pixdepth(loss_type, chunk)
        loss = model.head.loss(*inputs, model.pair_masks(coord, depth, FEAT_HW)).mean()
        return [loss, *torch.autograd.grad(loss, inputs)]

    full = run(None)
    assert all(g.abs().max() > 0 for g in full[1:])
    for chunk in (1, 7, 30):
        for a, b in zip(run(chunk), full):
            assert torch.allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('loss_type', ['propagation', 'contrast'])
def test_model_loss_with_chunk_size(loss_type, max_iters):
    """The whole model (config key ``head.chunk_size``): same loss and backbone gradients."""
    gen = torch.Generator().manual_seed(11)
    imgs = [torch.rand(2, 3, 96, 96, generator=gen) for _ in range(2)]  # 3x3 cells
    coord, depth = torch.tensor([[[0., 0., .8, .8], [1., .2, .2, 1.]]] * 2), torch.rand(
        2, 2, 3, 3, generator=gen)
    samples = []
    for i in range(2):
        sample = DataSample()
        sample.set_field(coord[i], 'coord')
        sample.set_field(depth[i], 'depth_cells')
        samples.append(sample)

    def run(chunk):
        model = pixdepth(loss_type, chunk)
        loss = model.loss(imgs, samples)['loss_pixel']
        loss.backward()
        return loss, model.backbone.conv1.weight.grad

    full, chunked = run(None), run(4)
    assert torch.isfinite(full[0]) and full[1].abs().max() > 0
    assert torch.allclose(chunked[0], full[0], rtol=1e-5, atol=1e-6)
    # float32 summation-order differences, amplified through the backbone's BN layers
    assert (chunked[1] - full[1]).abs().max() <= 1e-5 * full[1].abs().max()


def saved_bytes(fn):
    """Bytes of the distinct storages the autograd graph of ``fn()`` saves for backward."""
    sizes = {}

    def pack(t):
        sizes[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return sum(sizes.values())


@pytest.mark.parametrize('loss_type', ['propagation', 'contrast'])
def test_chunked_graph_keeps_no_pair_matrices(loss_type):
    """Unchunked, the graph holds [B, N, N] tensors; chunked, only the [B, C, N] inputs."""
    b, c, hw = 2, 8, (16, 16)
    n = hw[0] * hw[1]
    gen = torch.Generator().manual_seed(0)
    q = F.normalize(torch.randn(b, c, n, generator=gen), dim=1).requires_grad_(True)
    k = F.normalize(torch.randn(b, c, n, generator=gen), dim=1).requires_grad_(True)
    box = torch.tensor([[0., 0., 1., 1.]] * b)
    masks = PixelPairMasks(box, box * 0.9, hw, 0.7, torch.rand(b, *hw), torch.rand(b, *hw), 0.3)

    def loss(chunk):
        if loss_type == 'propagation':
            return pixpro_consistency_loss(q, k, masks, chunk_size=chunk)
        return pixcontrast_loss(q, k, masks, chunk_size=chunk)

    pair_matrix = b * n * n * 4
    assert saved_bytes(lambda: loss(None)) >= pair_matrix
    assert saved_bytes(lambda: loss(32)) <= 2 * q.numel() * 4 + 64  # q, k and [B] sums
    loss(32).backward()  # the recomputation runs
    assert torch.isfinite(q.grad).all() and torch.isfinite(k.grad).all()
    if loss_type == 'propagation':
        # a gradient-free k (momentum encoder): no checkpointing, blocks keep [B, rows, C + 1]
        k.requires_grad_(False)
        assert saved_bytes(lambda: loss(32)) <= q.numel() * 4 + b * n * (c + 1) * 4 + 64


def test_chunked_loss_is_float32_under_autocast():
    _, _, _, _, q, k = pair_setup(7, dtype=torch.float32, use_depth=False)
    pos = torch.rand(3, 30, 30, generator=torch.Generator().manual_seed(0)) < 0.3
    q = q.requires_grad_(True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = pixcontrast_loss(q, k, pos, ~pos, chunk_size=7)
    assert loss.dtype == torch.float32
    assert torch.allclose(loss, pixcontrast_loss(q, k, pos, ~pos), rtol=1e-6)
    loss.backward()
    assert q.grad.dtype == torch.float32


def test_chunk_options_are_validated(max_iters):
    _, _, _, _, q, k = pair_setup(8, use_depth=False)
    box = torch.tensor([[0., 0., 1., 1.]] * 3, dtype=torch.float64)
    masks = PixelPairMasks(box, box, FEAT_HW, 0.7)
    pos, neg = masks.rows(0, 30)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match='chunk_size'):
            pixpro_consistency_loss(q, k, pos, chunk_size=bad)
        for kind in ('propagation', 'contrast'):
            with pytest.raises(ValueError, match='chunk_size must be a positive int'):
                pixdepth(kind, bad)
    with pytest.raises(ValueError, match='neg must be None'):
        pixcontrast_loss(q, k, masks, neg)
    with pytest.raises(ValueError, match='neg is required'):
        pixcontrast_loss(q, k, pos)
    with pytest.raises(ValueError, match='pos must be'):
        pixpro_consistency_loss(q[:, :, :12], k, masks)
