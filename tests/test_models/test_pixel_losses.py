import math

import pytest
import torch
import torch.nn.functional as F

from mmpixdepth.models import pixcontrast_loss, pixpro_consistency_loss


def unit_features(gen, batch, channels, n, dtype=torch.float64):
    return F.normalize(torch.randn(batch, channels, n, generator=gen, dtype=dtype), dim=1)


def random_masks(gen, batch, n1, n2):
    """Disjoint random pos/neg masks with some pairs in neither and some rows without P."""
    u = torch.rand(batch, n1, n2, generator=gen)
    pos, neg = u < 0.25, u > 0.55
    pos[:, :2] = False  # pixels without a positive
    pos[0, 2] = True  # a pixel without a negative
    neg[0, 2] = False
    return pos, neg


def dot(a, b, i, j):
    return sum(x * y for x, y in zip((row[i] for row in a), (row[j] for row in b)))


def pixpro_reference(y, k, pos):
    per_image = []
    for b in range(len(y)):
        num = cnt = 0.
        for i in range(len(pos[b])):
            for j in range(len(pos[b][i])):
                if pos[b][i][j]:
                    num += dot(y[b], k[b], i, j)
                    cnt += 1
        per_image.append(num / (cnt + 1e-6))
    return -2 * sum(per_image) / len(per_image)


def pixcontrast_reference(q, k, pos, neg, tau):
    """The paper's definition: the per-pixel losses of the view-1 pixels with a positive are
    averaged within each image, then over the images (that have such a pixel)."""
    image_means = []
    for b in range(len(q)):
        losses = []
        for i in range(len(pos[b])):
            p_sum = n_sum = 0.
            for j in range(len(pos[b][i])):
                e = math.exp(dot(q[b], k[b], i, j) / tau)
                if pos[b][i][j]:
                    p_sum += e
                elif neg[b][i][j]:
                    n_sum += e
            if any(pos[b][i]):
                losses.append(-math.log(p_sum / (p_sum + n_sum)))
        if losses:
            image_means.append(sum(losses) / len(losses))
    return sum(image_means) / len(image_means) if image_means else 0.


def finite_value_and_grad(loss_fn, q, *args):
    q = q.clone().requires_grad_(True)
    loss = loss_fn(q, *args)
    (grad, ) = torch.autograd.grad(loss, q)
    assert torch.isfinite(loss) and torch.isfinite(grad).all()
    return loss, grad


def test_pixpro_matches_loop_reference():
    gen = torch.Generator().manual_seed(0)
    y, k = unit_features(gen, 3, 8, 12), unit_features(gen, 3, 8, 10)
    pos, _ = random_masks(gen, 3, 12, 10)
    pos[2] = False  # an image without positives contributes 0
    loss, _ = finite_value_and_grad(pixpro_consistency_loss, y, k, pos)
    expected = pixpro_reference(y.tolist(), k.tolist(), pos.tolist())
    assert loss.dtype == torch.float64
    assert loss.item() == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert -2 <= loss.item() <= 2


def test_pixcontrast_matches_loop_reference():
    gen = torch.Generator().manual_seed(1)
    q, k = unit_features(gen, 3, 8, 12), unit_features(gen, 3, 8, 10)
    pos, neg = random_masks(gen, 3, 12, 10)
    assert (~(pos | neg)).any() and (pos.any(2) & ~neg.any(2)).any()
    for tau in (0.3, 0.07):
        loss, grad = finite_value_and_grad(pixcontrast_loss, q, k, pos, neg, tau)
        expected = pixcontrast_reference(q.tolist(), k.tolist(), pos.tolist(), neg.tolist(), tau)
        assert loss.dtype == torch.float64
        assert loss.item() == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert loss.item() > 0
        # pixels without a positive do not take part in the loss
        assert grad[:, :, :2].abs().max().item() == 0


def test_pixcontrast_averages_pixels_per_image_then_images():
    gen = torch.Generator().manual_seed(6)
    q, k = unit_features(gen, 3, 8, 12), unit_features(gen, 3, 8, 10)
    pos, neg = random_masks(gen, 3, 12, 10)
    pos[1, 3:] = False  # image 1 has few anchor pixels, image 2 none: the two means differ
    pos[2] = False
    loss = pixcontrast_loss(q, k, pos, neg, 0.3)
    expected = pixcontrast_reference(q.tolist(), k.tolist(), pos.tolist(), neg.tolist(), 0.3)
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    # the mean over every anchor pixel of the batch is a different number here
    per_pixel = [pixcontrast_loss(q[b:b + 1], k[b:b + 1], pos[b:b + 1], neg[b:b + 1], 0.3)
                 * pos[b].any(1).sum() for b in range(2)]
    pooled = sum(per_pixel) / pos.any(2).sum()
    assert abs(pooled.item() - loss.item()) > 1e-3


def test_groups_reduce_to_one_loss_per_group():
    gen = torch.Generator().manual_seed(7)
    q, k = unit_features(gen, 4, 8, 9), unit_features(gen, 4, 8, 9)
    pos, neg = random_masks(gen, 4, 9, 9)
    for fn, args in ((pixpro_consistency_loss, (pos, )), (pixcontrast_loss, (pos, neg))):
        per_group = fn(q, k, *args, groups=2, reduction='none')
        assert per_group.shape == (2, )
        for g in range(2):
            part = slice(2 * g, 2 * g + 2)
            alone = fn(q[part], k[part], *(m[part] for m in args))
            assert per_group[g].item() == pytest.approx(alone.item(), rel=1e-12)
        assert fn(q, k, *args, groups=2).item() == pytest.approx(per_group.mean().item())
        with pytest.raises(ValueError, match='reduction'):
            fn(q, k, *args, reduction='sum')


@pytest.mark.parametrize('case', ['no_pos', 'all_pos', 'neither'])
def test_degenerate_masks(case):
    gen = torch.Generator().manual_seed(2)
    q, k = unit_features(gen, 2, 4, 6, torch.float32), unit_features(gen, 2, 4, 5, torch.float32)
    full = torch.ones(2, 6, 5, dtype=torch.bool)
    pos, neg = dict(no_pos=(~full, full), all_pos=(full, ~full), neither=(~full, ~full))[case]
    pixpro, _ = finite_value_and_grad(pixpro_consistency_loss, q, k, pos)
    contrast, grad = finite_value_and_grad(pixcontrast_loss, q, k, pos, neg)
    assert contrast.dtype == torch.float32
    if case == 'all_pos':
        # no negatives: every pixel has the perfect ratio 1
        assert contrast.item() == pytest.approx(0, abs=1e-6)
        expected = pixpro_reference(q.tolist(), k.tolist(), pos.tolist())
        assert pixpro.item() == pytest.approx(expected, rel=1e-5)
    else:
        assert contrast.item() == 0 and pixpro.item() == 0
        assert grad.abs().max().item() == 0


def test_pixcontrast_large_logits_are_stable():
    gen = torch.Generator().manual_seed(3)
    q, k = unit_features(gen, 2, 8, 6, torch.float32), unit_features(gen, 2, 8, 6, torch.float32)
    pos, neg = random_masks(gen, 2, 6, 6)
    loss, _ = finite_value_and_grad(pixcontrast_loss, q, k, pos, neg, 1e-3)
    expected = pixcontrast_loss(q.double(), k.double(), pos, neg, 1e-3)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-4)


def test_half_inputs_give_float32_loss():
    gen = torch.Generator().manual_seed(4)
    q, k = unit_features(gen, 2, 16, 9, torch.float32), unit_features(gen, 2, 16, 9, torch.float32)
    pos, neg = random_masks(gen, 2, 9, 9)
    for fn, args in ((pixpro_consistency_loss, (pos, )), (pixcontrast_loss, (pos, neg))):
        full = fn(q, k, *args)
        half = fn(q.half(), k.half(), *args)
        assert half.dtype == torch.float32 and torch.isfinite(half)
        assert half.item() == pytest.approx(full.item(), abs=1e-2)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            amp = fn(q, k, *args)
        assert amp.dtype == torch.float32
        assert amp.item() == pytest.approx(full.item(), abs=1e-6)


def test_pixpro_range_and_perfect_alignment():
    gen = torch.Generator().manual_seed(5)
    y = unit_features(gen, 2, 8, 9)
    pos = torch.eye(9, dtype=torch.bool).expand(2, 9, 9)
    aligned = pixpro_consistency_loss(y, y, pos)
    assert aligned.item() == pytest.approx(-2, abs=1e-5)
    assert pixpro_consistency_loss(y, -y, pos).item() == pytest.approx(2, abs=1e-5)
    for seed in range(5):
        gen.manual_seed(seed)
        k = unit_features(gen, 2, 8, 9)
        pos, _ = random_masks(gen, 2, 9, 9)
        loss = pixpro_consistency_loss(y, k, pos).item()
        assert aligned.item() < loss <= 2


def test_input_validation():
    q = torch.zeros(2, 4, 6)
    k = torch.zeros(2, 4, 5)
    pos = torch.zeros(2, 6, 5, dtype=torch.bool)
    with pytest.raises(ValueError, match='pos'):
        pixpro_consistency_loss(q, k, pos.transpose(1, 2))
    with pytest.raises(TypeError, match='bool'):
        pixpro_consistency_loss(q, k, pos.float())
    with pytest.raises(ValueError, match='features'):
        pixcontrast_loss(q, torch.zeros(2, 3, 5), pos, pos)
    with pytest.raises(ValueError, match='neg'):
        pixcontrast_loss(q, k, pos, pos[:1])
    with pytest.raises(ValueError, match='tau'):
        pixcontrast_loss(q, k, pos, pos, tau=0)
