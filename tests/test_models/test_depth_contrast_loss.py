"""The Depth Contrast loss against a brute-force loop, and the model built from its config."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

from mmpixdepth.models import depth_contrast_loss
from mmpixdepth.utils import load_config


def loop_reference(depth, reflectance, temperature, symmetric):
    """Mean over anchors of -log(exp(pos / t) / sum over every other view of exp(sim / t))."""
    depth = [d / d.norm() for d in depth.double()]
    reflectance = [r / r.norm() for r in reflectance.double()]
    views = depth + reflectance  # view i and view i + B are the two modalities of sample i
    batch = len(depth)
    anchors = range(2 * batch) if symmetric else range(batch)
    losses = []
    for a in anchors:
        partner = (a + batch) % (2 * batch)
        denominator = 0.
        for v in range(2 * batch):
            if v != a:
                denominator += math.exp(float(views[a] @ views[v]) / temperature)
        numerator = math.exp(float(views[a] @ views[partner]) / temperature)
        losses.append(-math.log(numerator / denominator))
    return sum(losses) / len(losses)


@pytest.mark.parametrize('symmetric', [False, True])
@pytest.mark.parametrize('batch,dim,temperature', [(1, 4, 0.1), (2, 3, 0.5), (6, 16, 0.1),
                                                   (9, 8, 1.0)])
def test_loss_equals_the_loop_reference(symmetric, batch, dim, temperature):
    gen = torch.Generator().manual_seed(batch * 100 + dim)
    depth = torch.randn(batch, dim, generator=gen) * 3  # not normalised: the loss normalises
    reflectance = torch.randn(batch, dim, generator=gen)
    loss = depth_contrast_loss(depth, reflectance, temperature, symmetric)
    assert loss.dtype == torch.float32 and loss.ndim == 0
    assert loss.item() == pytest.approx(loop_reference(depth, reflectance, temperature,
                                                       symmetric), rel=1e-5, abs=1e-6)


def test_directions_differ_and_symmetric_is_their_mean():
    gen = torch.Generator().manual_seed(0)
    depth, reflectance = torch.randn(2, 5, 8, generator=gen)
    forward = depth_contrast_loss(depth, reflectance)
    backward = depth_contrast_loss(reflectance, depth)  # reflectance anchors
    assert not torch.isclose(forward, backward)
    assert depth_contrast_loss(depth, reflectance, symmetric=True) == pytest.approx(
        (forward.item() + backward.item()) / 2, rel=1e-6)


def test_loss_is_low_for_aligned_pairs_and_high_for_swapped_pairs():
    z = F.normalize(torch.randn(8, 32, generator=torch.Generator().manual_seed(1)), dim=1)
    aligned = depth_contrast_loss(z, z + 0.01 * torch.randn(8, 32))
    swapped = depth_contrast_loss(z, z.roll(1, dims=0))
    assert aligned < 0.5 < math.log(15) < swapped


def test_gradient_reaches_both_modalities():
    depth = torch.randn(4, 6, requires_grad=True)
    reflectance = torch.randn(4, 6, requires_grad=True)
    depth_contrast_loss(depth, reflectance).backward()
    assert depth.grad.abs().sum() > 0 and reflectance.grad.abs().sum() > 0


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match=r'\[B, D\].*\(4, 6\) and \(3, 6\)'):
        depth_contrast_loss(torch.randn(4, 6), torch.randn(3, 6))


@pytest.mark.parametrize('channels', [3, 1])
def test_model_from_the_config_trains_one_step(repo_root, channels):
    cfg = load_config(f'{repo_root}/configs/depthcontrast/depthcontrast_resnet18_1xb16-rrc-20e_synthetic3dpm-56x56.py')
    cfg.model.backbone.in_channels = channels
    if channels == 1:  # one mean and std for the single channel
        cfg.model.data_preprocessor.mean = cfg.model.data_preprocessor.mean[:1]
        cfg.model.data_preprocessor.std = cfg.model.data_preprocessor.std[:1]
    model = MODELS.build(cfg.model)
    model.init_weights()
    views = [torch.rand(4, channels, 32, 32) * 255 for _ in range(2)]
    data = model.data_preprocessor(dict(inputs=views, data_samples=None), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss'} and torch.isfinite(losses['loss'])
    losses['loss'].backward()
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    with torch.no_grad():
        emb = model.embed(data['inputs'][0])
    assert emb.shape == (4, 64)  # the narrow head of the CPU config
    assert torch.allclose(emb.norm(dim=1), torch.ones(4), atol=1e-5)


def test_model_refuses_a_single_view(repo_root):
    cfg = load_config(f'{repo_root}/configs/depthcontrast/depthcontrast_resnet18_1xb16-rrc-20e_synthetic3dpm-56x56.py')
    model = MODELS.build(cfg.model)
    with pytest.raises(ValueError, match='ModalityViews'):
        model.loss([torch.rand(2, 3, 32, 32)], None)
