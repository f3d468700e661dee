"""Every pixel pretraining config gives the losses recorded in ``tests/data/pretrain_losses.json``
on fixed inputs: weights set from their names, fixed views, boxes and depth. The file was
written with :func:`config_losses` for every config before the pixel losses became heads; a
change of the model maths shows here."""
import glob
import hashlib
import json
import os.path as osp

import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS

import mmpixdepth  # noqa: F401  (registers the models)
from mmpixdepth.utils import load_config
from helpers import REPO, view_pair_samples

RECORD = osp.join(REPO, 'tests', 'data', 'pretrain_losses.json')
CONFIGS = sorted(osp.relpath(p, REPO) for folder in ('pixdepth', 'pixpro', 'pixcontrast')
                 for p in glob.glob(osp.join(REPO, 'configs', folder, '*.py')))
CROP = 64
#: State dict names of the weights that moved, now -> then (the propagation module went from the
#: model into its head).
RENAMED = {'head.ppm.': 'ppm.'}


def _recorded_name(name):
    name = name.replace('target_net.module.', '')  # the momentum encoder starts as the online one
    for now, then in RENAMED.items():
        name = name.replace(now, then)
    return name


def set_weights(model):
    """Every tensor of the state dict from a generator seeded by its (recorded) name: small
    weights, BN statistics at their neutral values."""
    state = model.state_dict()
    for name, value in state.items():
        if not value.is_floating_point():
            continue
        recorded = _recorded_name(name)
        if recorded.endswith('running_var'):
            value.fill_(1.)
        elif recorded.endswith('running_mean'):
            value.zero_()
        else:
            seed = int(hashlib.sha256(recorded.encode()).hexdigest()[:8], 16)
            g = torch.Generator().manual_seed(seed)
            value.copy_(torch.randn(value.shape, generator=g) * 0.05)


def fixed_batch(feat_hw, b=2):
    """Two views [B, 3, CROP, CROP] and DataSamples with boxes and per-cell depth (some NaN)."""
    g = torch.Generator().manual_seed(0)
    imgs = [torch.rand(b, 3, CROP, CROP, generator=g) * 255 for _ in range(2)]
    ul = torch.rand(b, 2, 2, generator=g) * 0.3
    coord = torch.cat([ul, ul + 0.5 + torch.rand(b, 2, 2, generator=g) * 0.2], dim=-1)
    coord[:, 1, [0, 2]] = coord[:, 1, [2, 0]]  # the second view flipped
    depth = torch.rand(b, 2, *feat_hw, generator=g)
    depth[0, 0, 0, 0] = float('nan')
    return imgs, view_pair_samples(coord, depth)


def config_losses(config):
    """The losses of ``config``'s model (BN instead of SyncBN, a 64-wide projector hidden layer
    for speed) on :func:`fixed_batch`."""
    cfg = load_config(osp.join(REPO, config))
    cfg.model.data_preprocessor = None
    cfg.model.neck.hid_channels = 64
    MessageHub.get_current_instance().update_info('max_iters', 100)
    model = MODELS.build(cfg.model)
    set_weights(model)
    model.train()
    with torch.no_grad():
        feat_hw = tuple(model.neck(model.backbone(torch.zeros(2, 3, CROP, CROP))).shape[-2:])
        imgs, samples = fixed_batch(feat_hw)
        set_weights(model)  # the forward above moved the BN statistics
        losses = model.loss([x / 255 for x in imgs], samples)
    return {k: round(float(v), 6) for k, v in losses.items() if k.startswith('loss')}


def same_maths():
    """The configs grouped by what the pixel loss computes (algorithm, head, thresholds; the
    backbone and data aside), the config of the narrowest projector first: [[config, ...]]."""
    groups = {}
    for config in CONFIGS:
        model = load_config(osp.join(REPO, config)).model
        key = json.dumps([model.type, model.head.to_dict(), model.dist_thr,
                          model.get('depth_thr')], sort_keys=True)
        groups.setdefault(key, []).append((model.neck.out_channels, model.backbone.depth, config))
    return [[config for *_, config in sorted(group)] for group in groups.values()]


@pytest.mark.parametrize('configs', same_maths(), ids=lambda configs: configs[0])
def test_configs_give_the_recorded_losses(configs):
    with open(RECORD) as f:
        recorded = json.load(f)
    known = [config for config in configs if config in recorded]
    assert known, f'{configs} compute a loss of which no config was recorded: record them'
    losses = config_losses(known[0])  # configs added since share a recorded config's maths
    assert set(losses) == set(recorded[known[0]])
    for key, value in recorded[known[0]].items():
        assert losses[key] == pytest.approx(value, rel=1e-4, abs=1e-5), (known[0], key)
