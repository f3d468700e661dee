"""PixDepth / PixPro pretraining through the real tools on the tiny synthetic set."""
import math
import os
import os.path as osp
import re
import subprocess

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint, load_checkpoint
from mmpretrain.registry import MODELS

from mmpixdepth.utils import load_config
from test_checkpoint import as_cli
from test_dist_train import free_port

PIXDEPTH = 'configs/pixdepth/pixdepth_r18_1xb16-5e_synthetic-96x96.py'
PIXPRO = 'configs/pixpro/pixpro_r18_1xb16-5e_synthetic-96x96.py'


def tiny_options(data_root, max_epochs=1):
    """--cfg-options making a synthetic pretraining config run in seconds on CPU."""
    return {
        'train_cfg.max_epochs': max_epochs,
        'train_dataloader.dataset.data_root': data_root,
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'default_hooks.logger.interval': 1,
        'model.neck.hid_channels': 64,
    }


def losses_in(log):
    return [float(v) for v in re.findall(r'loss_pixel: (-?[\d.]+(?:e-?\d+)?|nan|inf)', log)]


@pytest.mark.parametrize('config', [PIXDEPTH, PIXPRO])
def test_train_tool_pretrains(config, tiny_rgbd, tmp_path, python, repo_root):
    work_dir = str(tmp_path / 'work')
    cmd = [python, 'tools/train.py', config, '--work-dir', work_dir, '--cfg-options',
           *as_cli(tiny_options(tiny_rgbd))]
    out = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True, timeout=600)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-3000:]
    losses = losses_in(log)
    assert len(losses) == 2, log[-3000:]  # 8 images / batch 4, logged every iteration
    if config == PIXPRO:  # propagation loss: -2 cos summed over both directions, in [-4, 4]
        assert all(math.isfinite(v) and -4 <= v <= 4 for v in losses), losses
    else:  # pixel contrast loss: positive
        assert all(math.isfinite(v) and v > 0 for v in losses), losses
    ckpt = _load_checkpoint(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')
    assert ckpt['meta']['epoch'] == 1
    keys = ckpt['state_dict']
    assert any(k.startswith('target_net.module.backbone.') for k in keys)
    assert any(k.startswith('ppm.') for k in keys) == (config == PIXPRO)


def test_two_process_cpu_pretraining_and_checkpoint_loads(tiny_rgbd, tmp_path, python,
                                                          repo_root):
    work_dir = str(tmp_path / 'work')
    env = dict(os.environ, PORT=str(free_port()), OMP_NUM_THREADS='1',
               PATH=osp.dirname(python) + os.pathsep + os.environ['PATH'])
    options = dict(tiny_options(tiny_rgbd), **{'train_dataloader.batch_size': 2})
    cmd = ['bash', 'tools/dist_train.sh', PIXDEPTH, '2', '--work-dir', work_dir,
           '--cfg-options', *as_cli(options)]
    out = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True, text=True,
                         timeout=600)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-3000:]
    assert 'Distributed training: True' in log
    assert 'SyncBN layers of the model fall back to BN' in log
    assert losses_in(log) and all(math.isfinite(v) for v in losses_in(log))

    cfg = load_config(osp.join(repo_root, PIXDEPTH), cfg_options=options)
    model = MODELS.build(cfg.model)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ckpt = load_checkpoint(model, osp.join(work_dir, 'epoch_1.pth'), map_location='cpu',
                           strict=True)
    assert ckpt['meta']['epoch'] == 1
    state = model.state_dict()
    assert state.keys() == ckpt['state_dict'].keys()
    assert all(torch.equal(state[k], ckpt['state_dict'][k]) for k in state)
    assert not torch.equal(before['backbone.conv1.weight'], state['backbone.conv1.weight'])


def test_feature_size_mismatch_names_feat_stride(tiny_rgbd, tmp_path, python, repo_root):
    options = dict(tiny_options(tiny_rgbd), **{'train_dataloader.dataset.pipeline.2.feat_stride': 32})
    cmd = [python, 'tools/train.py', PIXDEPTH, '--work-dir', str(tmp_path), '--cfg-options',
           *as_cli(options)]
    out = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert out.returncode != 0
    assert 'PixProViews.feat_stride' in out.stderr and '(6, 6)' in out.stderr, out.stderr[-2000:]


def test_non_finite_loss_stops_training_with_a_clear_error(tiny_rgbd, tmp_path, python,
                                                           repo_root):
    options = dict(tiny_options(tiny_rgbd, max_epochs=3),
                   **{'optim_wrapper.optimizer.lr': 1e30})
    cmd = [python, 'tools/train.py', PIXDEPTH, '--work-dir', str(tmp_path), '--cfg-options',
           *as_cli(options)]
    out = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert out.returncode != 0
    assert 'FloatingPointError: non-finite loss at iteration' in out.stderr, out.stderr[-2000:]
    assert 'loss_pixel=nan' in out.stderr or 'loss_pixel=inf' in out.stderr
