"""tools/dist_train.sh on 2 CPU processes: gloo backend, SyncBN falling back to BN, and a
checkpoint that loads into the model of the config."""
import os
import os.path as osp
import re
import subprocess

import torch
from mmengine.runner.checkpoint import load_checkpoint
from mmpretrain.registry import MODELS

from helpers import PIXDEPTH_CONFIG, as_cli, free_port, pretrain_options
from mmpixdepth.utils import load_config


def test_two_process_cpu_pretraining_and_checkpoint_loads(tiny_rgbd, tmp_path, python,
                                                          repo_root):
    work_dir = str(tmp_path / 'work')
    env = dict(os.environ, PORT=str(free_port()), OMP_NUM_THREADS='1',
               PATH=osp.dirname(python) + os.pathsep + os.environ['PATH'])
    options = dict(pretrain_options(tiny_rgbd), **{'train_dataloader.batch_size': 2})
    cmd = ['bash', 'tools/dist_train.sh', PIXDEPTH_CONFIG, '2', '--work-dir', work_dir,
           '--cfg-options', *as_cli(options)]
    out = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True, text=True,
                         timeout=600)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-3000:]
    assert 'Distributed launcher: pytorch' in log and 'Distributed training: True' in log
    assert 'SyncBN layers of the model fall back to BN' in log
    losses = [float(v) for v in re.findall(r'loss_pixel: (\S+)', log)]
    assert len(losses) == 2 and all(v > 0 for v in losses), log[-3000:]  # 8 / (2 x 2) iters

    cfg = load_config(osp.join(repo_root, PIXDEPTH_CONFIG), cfg_options=options)
    model = MODELS.build(cfg.model)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ckpt = load_checkpoint(model, osp.join(work_dir, 'epoch_1.pth'), map_location='cpu',
                           strict=True)
    assert ckpt['meta']['epoch'] == 1
    state = model.state_dict()
    assert state.keys() == ckpt['state_dict'].keys()
    assert all(torch.equal(state[k], ckpt['state_dict'][k]) for k in state)
    assert not torch.equal(before['backbone.conv1.weight'], state['backbone.conv1.weight'])


def test_user_error_is_printed_once_without_tracebacks(tmp_path, python, repo_root):
    env = dict(os.environ, PORT=str(free_port()), OMP_NUM_THREADS='1',
               PATH=osp.dirname(python) + os.pathsep + os.environ['PATH'])
    cmd = ['bash', osp.join(repo_root, 'tools/dist_train.sh'),
           osp.join(repo_root, PIXDEPTH_CONFIG), '2', '--work-dir', str(tmp_path / 'work'),
           '--cfg-options', 'train_dataloader.dataset.data_root=nowhere']
    out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    log = out.stdout + out.stderr
    assert out.returncode == 1, log[-3000:]
    assert 'Traceback' not in log, log[-3000:]
    assert log.count('does not exist') == 1, log[-3000:]
    assert (f'error: FileNotFoundError: RGBDFolderDataset: the image folder nowhere/images/train '
            f'does not exist (relative to the current folder {tmp_path}') in log
    assert re.search(r'train.py failed: process [01] stopped first \(exit code 1\), 2 '
                     r'process\(es\) in all$', log.rstrip()), log[-3000:]
