"""The propagation loss (positives only) must not collapse: the spread of the projections,
logged as ``proj_spread`` by the real PixPro config on tiny data."""
import glob
import json
import os.path as osp

import pytest
import torch
from helpers import REPO, kept_default_scope
from mmengine.runner import Runner

from mmpixdepth.models.utils import feature_spread
from mmpixdepth.utils import load_config

PIXPRO = 'configs/pixpro/pixpro_r18-w16_1xb32-100e_synthetic-64x64.py'
PIXCONTRAST = 'configs/pixcontrast/pixcontrast_r18-w16_1xb32-100e_synthetic-64x64.py'


def test_feature_spread_of_even_and_collapsed_directions():
    gen = torch.Generator().manual_seed(0)
    even = torch.randn(64, 32, 4, 4, generator=gen)
    assert abs(float(feature_spread(even)) - 1) < 0.05
    one_way = torch.randn(32, generator=gen)[None, :, None, None] * torch.rand(
        64, 1, 4, 4, generator=gen).add(0.5)  # one direction, positive scales
    assert float(feature_spread(one_way)) < 1e-3
    # a loop reference: per channel std over all cells of the unit vectors
    cells = [even[b, :, i, j] / even[b, :, i, j].norm() for b in range(64) for i in range(4)
             for j in range(4)]
    ref = torch.stack(cells).std(dim=0).mean() * 32**0.5
    assert torch.allclose(feature_spread(even), ref, atol=1e-5)


def _spread_after_training(data_root, work_dir, optim_wrapper=None, iters=24):
    options = {'train_cfg.max_epochs': iters, 'train_dataloader.dataset.data_root': data_root,
               'train_dataloader.batch_size': 8, 'train_dataloader.num_workers': 0,
               'train_dataloader.persistent_workers': False,
               'default_hooks.logger.interval': 1, 'default_hooks.checkpoint.interval': iters,
               'model.neck.hid_channels': 128, 'log_level': 'ERROR'}
    cfg = load_config(osp.join(REPO, PIXPRO), options, str(work_dir))
    if optim_wrapper is not None:
        cfg.optim_wrapper = optim_wrapper
    with kept_default_scope():
        Runner.from_cfg(cfg).train()
    with open(glob.glob(osp.join(str(work_dir), '*', 'vis_data', 'scalars.json'))[-1]) as f:
        spreads = [json.loads(line)['proj_spread'] for line in f]
    assert len(spreads) == iters
    return sum(spreads[-5:]) / 5


def test_pixpro_config_does_not_collapse(tiny_rgbd, tmp_path):
    """24 iterations on 8 images: under the config's LARS the projections keep spreading
    (about 0.7, also after 40 iterations); a collapse takes them below 0.2 within these
    iterations."""
    assert _spread_after_training(tiny_rgbd, tmp_path) > 0.45


def test_collapse_check_sees_the_collapse_under_sgd(tiny_rgbd, tmp_path):
    """The same run with the SGD of the pixel contrast configs (lr 0.1) collapses: the check
    above can fail."""
    sgd = load_config(osp.join(REPO, PIXCONTRAST)).optim_wrapper
    assert sgd.optimizer.type == 'SGD'
    assert _spread_after_training(tiny_rgbd, tmp_path, sgd) < 0.3
