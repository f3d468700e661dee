"""Invariants of the PixDepth / PixPro model, built through mmpretrain's registry."""
import math

import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS

import mmpixdepth  # noqa: F401
from mmpixdepth.models import pixcontrast_loss, pixel_pair_masks, pixpro_consistency_loss
from helpers import view_pair_samples

CROP = 64  # stride-16 ResNet-18 -> 4x4 cells
NARROW = dict(base_channels=16, stem_channels=16)  # the maths does not depend on the width


def head_cfg(kind, channels=24):
    """The pixel head of a loss kind: 'contrast' or 'propagation'."""
    if kind == 'contrast':
        return dict(type='PixelContrastHead', temperature=0.3)
    return dict(type='PixelPropagationHead', ppm=dict(type='PixelPropagation', channels=channels))


def model_cfg(kind='contrast', **kwargs):
    channels = kwargs.pop('channels', 24)
    cfg = dict(
        type='PixDepth',
        data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0., 0., 0.],
                               std=[1., 1., 1.]),
        backbone=dict(type='ResNet', depth=18, out_indices=(3, ), strides=(1, 2, 2, 1),
                      dilations=(1, 1, 1, 2), norm_cfg=dict(type='BN'), **NARROW),
        neck=dict(type='PixelProjector', in_channels=128, hid_channels=32,
                  out_channels=channels, norm_cfg=dict(type='BN')),
        head=head_cfg(kind, channels),
        dist_thr=0.7, depth_thr=0.3)
    cfg.update(kwargs)
    return cfg


def build(seed=0, kind='contrast', **kwargs):
    torch.manual_seed(seed)
    model = MODELS.build(model_cfg(kind, **kwargs))
    model.init_weights()
    return model


@pytest.fixture(autouse=True)
def max_iters():
    MessageHub.get_current_instance().update_info('max_iters', 100)


def batch(b=2, seed=0, depth=None, coord=None):
    """Random views [B, 3, CROP, CROP] x 2 and DataSamples with coord / depth_cells."""
    g = torch.Generator().manual_seed(seed)
    imgs = [torch.rand(b, 3, CROP, CROP, generator=g) for _ in range(2)]
    if coord is None:
        ul = torch.rand(b, 2, 2, generator=g) * 0.4
        coord = torch.cat([ul, ul + 0.4 + torch.rand(b, 2, 2, generator=g) * 0.2], dim=-1)
        coord[:, 1, [0, 2]] = coord[:, 1, [2, 0]]  # second view flipped
    if depth is None:
        depth = torch.rand(b, 2, 4, 4, generator=g)
    return imgs, view_pair_samples(coord, depth)


def total(losses):
    return sum(losses.values())


@pytest.mark.parametrize('kind, baseline', [('contrast', 'PixContrast'),
                                             ('propagation', 'PixPro')])
@pytest.mark.parametrize('dist_thr', [0.7, [0.3, 0.5, 0.7]])
def test_depth_disabled_is_the_baseline_exactly(kind, baseline, dist_thr):
    imgs, samples = batch()
    pixdepth = build(kind=kind, dist_thr=dist_thr, depth_thr=1.0)
    base = build(kind=kind, type=baseline, dist_thr=dist_thr, depth_thr=None)
    assert type(base.head) is type(pixdepth.head) and not base.uses_depth
    a = pixdepth.loss(imgs, samples)['loss_pixel']
    b = base.loss(imgs, samples)['loss_pixel']
    assert torch.equal(a, b)
    # and the depth test does change the loss when it bites
    c = build(kind=kind, dist_thr=dist_thr, depth_thr=0.05).loss(imgs, samples)['loss_pixel']
    assert not torch.allclose(a, c)


def test_default_heads_and_depth_thresholds():
    def default(**kwargs):
        cfg = model_cfg(**kwargs)
        cfg.pop('head')
        return MODELS.build(cfg)

    assert type(default().head).__name__ == 'PixelContrastHead'  # the paper's PixDepth
    assert type(default(type='PixContrast', depth_thr=None).head).__name__ == 'PixelContrastHead'
    with pytest.raises(TypeError, match='head'):
        default(type='PixPro', depth_thr=None)  # PixPro's head needs its width: in the config
    assert type(build(kind='propagation', type='PixPro', depth_thr=None).head).__name__ == \
        'PixelPropagationHead'
    with pytest.raises(ValueError, match='PixContrast takes no depth_thr'):
        build(type='PixContrast')
    with pytest.raises(ValueError, match=r'head.groups=2 but the thresholds make 3'):
        build(dist_thr=[0.3, 0.5, 0.7], head=dict(type='PixelContrastHead', groups=2))


@pytest.mark.parametrize('kind', ['propagation', 'contrast'])
def test_channel_groups_are_independent(kind):
    """Changing the projected channels of one group changes that group's loss term only."""
    thresholds = dict(dist_thr=[0.3, 0.5, 0.7], depth_thr=[0.3, 0.5, 0.7])
    model = build(kind=kind, **thresholds)
    imgs, samples = batch(seed=2)
    coord = torch.stack([s.coord for s in samples])
    depth = torch.stack([s.depth_cells for s in samples])
    g = torch.Generator().manual_seed(5)
    proj = [torch.randn(2, 24, 4, 4, generator=g) for _ in range(4)]

    def terms(p1, p2):
        return model.head.loss(p1, p2, proj[2], proj[3], model.pair_masks(coord, depth, (4, 4)))

    base = terms(proj[0], proj[1])
    for group in range(3):
        moved = proj[0].clone()
        moved[:, 8 * group:8 * (group + 1)] += torch.randn(2, 8, 4, 4, generator=g)
        changed = terms(moved, proj[1])
        others = [k for k in range(3) if k != group]
        assert torch.equal(changed[others], base[others])
        assert not torch.allclose(changed[group], base[group])
    if kind == 'propagation':
        assert model.head.ppm.groups == 3


def test_propagation_matches_a_loop_reference():
    """g(x) L2-normalised, similarities and sums within each channel group."""
    from mmpretrain.registry import MODELS as M
    torch.manual_seed(0)
    ppm = M.build(dict(type='PixelPropagation', channels=6, groups=2, gamma=2.0))
    x = torch.randn(1, 6, 2, 2)
    out = ppm(x)
    value = ppm.transform(x)
    cells = [(r, c) for r in range(2) for c in range(2)]
    for g in range(2):
        ch = slice(3 * g, 3 * g + 3)
        for i in cells:
            expected = torch.zeros(3)
            xi = x[0, ch, i[0], i[1]]
            for j in cells:
                xj = x[0, ch, j[0], j[1]]
                s = max(float(torch.dot(xi, xj) / (xi.norm() * xj.norm())), 0.) ** 2
                gj = value[0, ch, j[0], j[1]]
                expected += s * gj / gj.norm()
            assert torch.allclose(out[0, ch, i[0], i[1]], expected, atol=1e-5)
    with pytest.raises(ValueError, match='groups'):
        M.build(dict(type='PixelPropagation', channels=6, groups=4))


@pytest.mark.parametrize('kind', ['propagation', 'contrast'])
def test_multi_threshold_is_mean_of_group_losses(kind):
    imgs, samples = batch(seed=1)
    thresholds = dict(dist_thr=[0.3, 0.5, 0.7], depth_thr=[0.3, 0.5, 0.7])
    model = build(kind=kind, **thresholds)
    coord = torch.stack([s.coord for s in samples])
    depth = torch.stack([s.depth_cells for s in samples])
    g = torch.Generator().manual_seed(3)
    feats = [torch.randn(2, 24, 4, 4, generator=g) for _ in range(4)]
    if kind == 'propagation':  # the reference below starts from the propagated features
        model.head.ppm = torch.nn.Identity()
    got = model.head.loss(*feats, model.pair_masks(coord, depth, (4, 4)))

    def unit(x):
        return torch.nn.functional.normalize(x.flatten(2), dim=1)

    expected = []
    for k, (t, td) in enumerate(zip(thresholds['dist_thr'], thresholds['depth_thr'])):
        q1, q2, k1, k2 = (unit(f[:, 8 * k:8 * (k + 1)]) for f in feats)
        pos, neg = pixel_pair_masks(coord[:, 0], coord[:, 1], (4, 4), t, depth[:, 0],
                                    depth[:, 1], td)
        if kind == 'propagation':
            expected.append(pixpro_consistency_loss(q1, k2, pos)
                            + pixpro_consistency_loss(q2, k1, pos.transpose(1, 2)))
        else:
            expected.append(pixcontrast_loss(q1, k2, pos, neg, 0.3)
                            + pixcontrast_loss(q2, k1, pos.transpose(1, 2), neg.transpose(1, 2),
                                               0.3))
    assert torch.allclose(got, torch.stack(expected), atol=1e-6)
    # one group given as a list is the single-threshold model
    single, listed = (build(kind=kind, dist_thr=t, depth_thr=d) for t, d in ((0.5, 0.3),
                                                                          ([0.5], [0.3])))
    assert torch.equal(single.head.loss(*feats, single.pair_masks(coord, depth, (4, 4))),
                       listed.head.loss(*feats, listed.pair_masks(coord, depth, (4, 4))))


def test_threshold_groups_zip_and_validate():
    from mmpixdepth.models import threshold_groups
    assert threshold_groups([0.3, 0.5, 0.7], 0.3) == [(0.3, 0.3), (0.5, 0.3), (0.7, 0.3)]
    assert threshold_groups(0.5, [0.3, 0.5]) == [(0.5, 0.3), (0.5, 0.5)]
    assert threshold_groups([0.3, 0.5], [0.1, 0.2]) == [(0.3, 0.1), (0.5, 0.2)]
    assert threshold_groups([0.3, 0.5]) == [(0.3, None), (0.5, None)]
    with pytest.raises(ValueError, match='same length'):
        threshold_groups([0.3, 0.5], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match='every group has a depth threshold or none'):
        threshold_groups([0.3, 0.5], [0.1, None])
    with pytest.raises(ValueError, match='cannot be split into 5'):
        build(dist_thr=[0.1] * 5).loss(*batch())
    with pytest.raises(ValueError, match='PixPro takes no depth_thr'):
        build(type='PixPro', depth_thr=0.3)


FAR = torch.tensor([[[0., 0., .2, .2], [.8, .8, 1., 1.]]])  # views that do not overlap
SAME = torch.tensor([[[0., 0., 1., 1.], [0., 0., 1., 1.]]])


@pytest.mark.parametrize('kind', ['propagation', 'contrast'])
@pytest.mark.parametrize('case', ['no_positive', 'all_positive', 'constant_depth',
                                  'all_nan_depth', 'batch_of_one'])
def test_degenerate_batches_give_finite_loss_and_gradients(kind, case):
    b = 1 if case == 'batch_of_one' else 2
    coord = {'no_positive': FAR.repeat(b, 1, 1), 'all_positive': SAME.repeat(b, 1, 1)}.get(case)
    depth = {'constant_depth': torch.full((b, 2, 4, 4), 0.5),
             'all_nan_depth': torch.full((b, 2, 4, 4), float('nan'))}.get(case)
    kwargs = dict(dist_thr=100.0, depth_thr=1.0) if case == 'all_positive' else {}
    model = build(kind=kind, **kwargs)
    imgs, samples = batch(b=b, depth=depth, coord=coord)
    model.train()
    loss = total(model.loss(imgs, samples))
    assert torch.isfinite(loss)
    loss.backward()
    grads = [p.grad for p in model.backbone.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)


@pytest.mark.parametrize('kind', ['propagation', 'contrast'])
def test_only_the_online_branch_gets_gradients(kind):
    model = build(kind=kind)
    imgs, samples = batch()
    total(model.loss(imgs, samples)).backward()
    assert all(p.grad is None for p in model.target_net.parameters())
    assert all(not p.requires_grad for p in model.target_net.parameters())
    assert not any('ppm' in name for name, _ in model.target_net.named_parameters())
    for module in (model.backbone, model.neck) + ((model.head, ) if kind == 'propagation' else ()):
        assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in module.parameters())


def test_momentum_follows_the_cosine_schedule():
    """m_k = 1 - (1 - 0.99) * (cos(pi k / K) + 1) / 2 for the momentum encoder."""
    K = 100
    model = build()
    ema = model.target_net
    online = dict(model._momentum_source().named_parameters())
    ema.update_parameters(model._momentum_source())  # step 0 copies the online weights
    name = 'neck.mlp.0.weight'
    for k in (1, 50, 99):
        ema.steps.fill_(k)
        before = ema.module.get_parameter(name).detach().clone()
        with torch.no_grad():
            online[name].add_(1.0)
        ema.update_parameters(model._momentum_source())
        m = 1 - (1 - 0.99) * (math.cos(math.pi * k / K) + 1) / 2
        expected = m * before + (1 - m) * online[name].detach()
        assert torch.allclose(ema.module.get_parameter(name), expected, atol=1e-6), k


def test_instance_branch_adds_a_weighted_loss():
    inst = dict(
        instance_neck=dict(type='NonLinearNeck', in_channels=128, hid_channels=32,
                           out_channels=16, num_layers=2, with_bias=True, with_last_bn=False,
                           with_avg_pool=True, norm_cfg=dict(type='BN1d')),
        instance_head=dict(
            type='LatentPredictHead',
            predictor=dict(type='NonLinearNeck', in_channels=16, hid_channels=32,
                           out_channels=16, num_layers=2, with_bias=True, with_last_bn=False,
                           with_avg_pool=False, norm_cfg=dict(type='BN1d')),
            loss=dict(type='CosineSimilarityLoss', shift_factor=0., scale_factor=2.)),
        instance_weight=0.5)
    model = build(**inst)
    losses = model.loss(*batch())
    assert set(losses) == {'loss_pixel', 'loss_instance', 'proj_spread'}
    assert -2.0 <= losses['loss_instance'].item() <= 2.0  # 0.5 x [-4, 4]
    assert 'instance_neck.' in ''.join(n for n, _ in model.target_net.module.named_parameters())
    with pytest.raises(ValueError, match='instance_neck and instance_head'):
        build(instance_weight=1.0)


def test_loss_is_float32_under_autocast():
    model = build(kind='propagation')
    imgs, samples = batch()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model.loss(imgs, samples)
    assert losses['loss_pixel'].dtype == torch.float32 and torch.isfinite(losses['loss_pixel'])


def test_feature_size_mismatch_names_feat_stride():
    """Per-cell depth of another size than the feature map (a PixProViews.feat_stride that is
    not the backbone's output stride) stops with an error naming both sizes and the key."""
    model = build()
    imgs, samples = batch(depth=torch.rand(2, 2, 2, 2))
    with pytest.raises(ValueError, match=r'feature map is \(4, 4\).*\(2, 2\).*'
                       'PixProViews.feat_stride'):
        model.loss(imgs, samples)
