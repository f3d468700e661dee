"""PixDepth / PixPro pretraining through the real tools/train.py on the tiny synthetic set."""
import math
import os.path as osp
import re

import pytest
from mmengine.runner.checkpoint import _load_checkpoint

from helpers import PIXDEPTH_CONFIG, PIXPRO_CONFIG, REPO, as_cli, pretrain_options, run_log, train


def losses_in(log):
    return [float(v) for v in re.findall(r'loss_pixel: (-?[\d.]+(?:e-?\d+)?|nan|inf)', log)]


def check_pretraining(work_dir, propagation):
    log = run_log(work_dir)
    losses = losses_in(log)
    assert len(losses) == 2, log[-3000:]  # 8 images / batch 4, logged every iteration
    if propagation:  # -2 cos summed over both directions, in [-4, 4]
        assert all(math.isfinite(v) and -4 <= v <= 4 for v in losses), losses
    else:  # pixel contrast loss: positive
        assert all(math.isfinite(v) and v > 0 for v in losses), losses
    ckpt = _load_checkpoint(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')
    assert ckpt['meta']['epoch'] == 1
    keys = ckpt['state_dict']
    assert any(k.startswith('target_net.module.backbone.') for k in keys)
    assert any(k.startswith('head.ppm.') for k in keys) == propagation


def test_train_tool_pretrains_pixdepth(pixdepth_run):
    check_pretraining(pixdepth_run, propagation=False)


def test_train_tool_pretrains_pixpro(tiny_rgbd, tmp_path):
    work_dir = str(tmp_path / 'work')
    train([osp.join(REPO, PIXPRO_CONFIG), '--work-dir', work_dir, '--cfg-options',
           *as_cli(pretrain_options(tiny_rgbd))])
    check_pretraining(work_dir, propagation=True)
    log = run_log(work_dir)  # one line on the optimizer's groups, not one per parameter
    assert 'paramwise_options --' not in log and 'requires_grad=False' not in log
    counts = re.search(r'optimizer: (\d+) parameter tensors without gradients \(not optimised\), '
                       r'(\d+) parameter tensors with paramwise settings', log)
    assert counts and int(counts.group(1)) > 50 and int(counts.group(2)) > 50, log[:3000]


def test_non_finite_loss_stops_training_with_a_clear_error(tiny_rgbd, tmp_path):
    options = dict(pretrain_options(tiny_rgbd, max_epochs=3),
                   **{'optim_wrapper.optimizer.lr': 1e30})
    with pytest.raises(FloatingPointError, match='non-finite loss at iteration') as err:
        train([osp.join(REPO, PIXDEPTH_CONFIG), '--work-dir', str(tmp_path), '--cfg-options',
               *as_cli(options)])
    assert 'loss_pixel=nan' in str(err.value) or 'loss_pixel=inf' in str(err.value)
