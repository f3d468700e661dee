"""Resuming and loading mmengine Runner checkpoints with torch's safe unpickler."""
import argparse
import copy
import os
import os.path as osp
import pickle
import shutil

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from mmpixdepth.engine import checkpoint as ckpt_mod
from mmpixdepth.utils import load_config
from helpers import REPO, SEG_CONFIG, as_cli, run_log, seg_options, train

@pytest.fixture
def two_epochs(seg_run):
    """Work dir of a real 2-epoch run of tools/train.py."""
    assert osp.isfile(osp.join(seg_run, 'epoch_2.pth'))
    return seg_run


def copy_run(work_dir, dst):
    """Copy the 2-epoch run to ``dst`` as if it had been stopped there."""
    dst = str(dst)
    shutil.copytree(work_dir, dst, ignore=shutil.ignore_patterns('epoch_3.pth'))
    with open(osp.join(dst, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(dst, 'epoch_2.pth'))
    return dst


class RecordStart(Hook):
    """Keeps what the runner holds when training starts, after loading or resuming."""

    def before_train(self, runner):
        self.epoch, self.iter = runner.epoch, runner.iter
        self.optimizer = copy.deepcopy(runner.optim_wrapper.state_dict())
        self.weights = {k: v.clone() for k, v in runner.model.state_dict().items()}


def build_runner(repo_root, tiny_rgbd, work_dir, max_epochs, **cfg):
    config = load_config(osp.join(repo_root, SEG_CONFIG), seg_options(tiny_rgbd, max_epochs),
                         work_dir=work_dir)
    config.update(cfg)
    runner = Runner.from_cfg(config)
    hook = RecordStart()
    runner.register_hook(hook)
    return runner, hook


def test_resume_continues_with_saved_state(two_epochs, tiny_rgbd, repo_root, tmp_path):
    work_dir = copy_run(two_epochs, tmp_path / 'work')
    ckpt_path = osp.join(work_dir, 'epoch_2.pth')
    saved = _load_checkpoint(ckpt_path, map_location='cpu')
    assert saved['meta']['epoch'] == 2
    runner, start = build_runner(repo_root, tiny_rgbd, work_dir, 3, resume=True,
                                 load_from=ckpt_path)
    runner.train()
    assert (start.epoch, start.iter) == (2, saved['meta']['iter'])
    state = start.optimizer['state']
    assert state and state.keys() == saved['optimizer']['state'].keys()
    for idx, param_state in state.items():
        for name, value in param_state.items():
            assert torch.equal(value, saved['optimizer']['state'][idx][name]), (idx, name)
    assert runner.epoch == 3
    assert _load_checkpoint(osp.join(work_dir, 'epoch_3.pth'))['meta']['epoch'] == 3


def test_resume_auto_from_tools(two_epochs, tiny_rgbd, tmp_path):
    """A stopped run picks up its last checkpoint with plain `--resume`."""
    work_dir = copy_run(two_epochs, tmp_path / 'work')
    train([osp.join(REPO, SEG_CONFIG), '--work-dir', work_dir, '--resume', '--cfg-options',
           *as_cli(seg_options(tiny_rgbd, 3))])
    assert 'resumed epoch: 2' in run_log(work_dir)
    assert _load_checkpoint(osp.join(work_dir, 'epoch_3.pth'))['meta']['epoch'] == 3


def test_load_from_loads_weights(two_epochs, tiny_rgbd, repo_root, tmp_path):
    ckpt_path = osp.join(two_epochs, 'epoch_1.pth')
    runner, start = build_runner(repo_root, tiny_rgbd, str(tmp_path), 1, load_from=ckpt_path)
    runner.train()
    assert start.epoch == 0  # load_from starts a new schedule
    saved = _load_checkpoint(ckpt_path, map_location='cpu')['state_dict']
    assert start.weights.keys() == saved.keys()
    assert all(torch.equal(start.weights[k], saved[k]) for k in saved)


def test_allowlist_is_exactly_what_runner_checkpoints_hold(two_epochs):
    found = set(torch.serialization.get_unsafe_globals_in_checkpoint(
        osp.join(two_epochs, 'epoch_2.pth')))
    listed = set(ckpt_mod._GLOBAL_NAMES)
    assert found <= listed, f'checkpoint globals missing from the allowlist: {found - listed}'
    assert listed <= found, f'allowlisted but never in a checkpoint: {listed - found}'


def test_weights_only_stays_on_for_everything_else(two_epochs):
    path = osp.join(two_epochs, 'epoch_2.pth')
    _load_checkpoint(path)  # allowed through mmengine's loader
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)  # the allowlist is not installed process-wide


def test_unexpected_global_is_refused(tmp_path, monkeypatch):
    path = str(tmp_path / 'odd.pth')
    torch.save({'state_dict': {}, 'meta': {'args': argparse.Namespace(lr=1)}}, path)
    with pytest.raises(pickle.UnpicklingError,
                       match=r'(?s)odd\.pth.*argparse\.Namespace.*MMPIXDEPTH_TRUSTED_CHECKPOINTS'):
        _load_checkpoint(path)
    monkeypatch.setenv('MMPIXDEPTH_TRUSTED_CHECKPOINTS', f'/elsewhere/x.pth{os.pathsep}{path}')
    assert _load_checkpoint(path)['meta']['args'].lr == 1


def test_unexpected_global_refused_by_train_tool(two_epochs, tiny_rgbd, tmp_path):
    path = str(tmp_path / 'odd.pth')
    ckpt = torch.load(osp.join(two_epochs, 'epoch_2.pth'), weights_only=False)
    ckpt['meta']['args'] = argparse.Namespace(lr=1)
    torch.save(ckpt, path)
    with pytest.raises(pickle.UnpicklingError,
                       match=r'(?s)argparse\.Namespace.*MMPIXDEPTH_TRUSTED_CHECKPOINTS'):
        train([osp.join(REPO, SEG_CONFIG), '--work-dir', str(tmp_path / 'w'), '--resume', path,
               '--cfg-options', *as_cli(seg_options(tiny_rgbd, 3))])
