"""Fixtures shared by the tests: tiny datasets written to temporary folders, the tools run
in-process, and one session-wide training run of each kind that the tests needing a checkpoint
share (one per pytest-xdist worker). Helper functions are in ``helpers.py``."""
import os
import os.path as osp
import sys

import pytest
import torch

from helpers import (PER_CLASS_3DPM, PIXDEPTH_CONFIG, REPO, SEG_CONFIG, TINY_SEG_CONFIG, as_cli,
                     kept_default_scope, load_tool, pretrain_options, seg_options, train)


def pytest_configure(config):
    """Under pytest-xdist, one thread per worker process: the workers already use the cores, and
    threads competing with them cost more than they give."""
    if config.getoption('numprocesses', None) or 'PYTEST_XDIST_WORKER' in os.environ:
        torch.set_num_threads(1)
        os.environ['OMP_NUM_THREADS'] = '1'  # and the processes the tests start


@pytest.fixture(scope='session')
def repo_root():
    return REPO


@pytest.fixture(scope='session')
def tiny_rgbd(tmp_path_factory):
    """A tiny synthetic RGB-D set on disk (8 train + 2 val images, 64x64), shared by the tests."""
    from mmpixdepth.datasets import generate_synthetic_rgbd
    root = tmp_path_factory.mktemp('synthetic_rgbd')
    generate_synthetic_rgbd(str(root), num_train=8, num_val=2, size=64, seed=0, workers=1)
    return str(root)


@pytest.fixture(scope='session')
def tiny_3dpm(tmp_path_factory):
    """A tiny synthetic 3DPM set: 7 classes x 5 samples of 32x32, with 60/20/20 splits
    (3/1/1 per class)."""
    from mmpixdepth.datasets import generate_synthetic_3dpm
    root = str(tmp_path_factory.mktemp('synthetic_3dpm'))
    generate_synthetic_3dpm(root, num_per_class=PER_CLASS_3DPM, size=32, seed=0)
    return root


@pytest.fixture(scope='session')
def tool():
    """:func:`load_tool` as a fixture."""
    return load_tool


@pytest.fixture(scope='session')
def seg_run(tiny_rgbd, tmp_path_factory, tool):
    """Work dir of a real 2-epoch run of tools/train.py (synthetic DeepLabV3, 2 iterations per
    epoch): ``epoch_1.pth``, ``epoch_2.pth``, ``last_checkpoint``. Tests copy it, never change
    it."""
    work_dir = str(tmp_path_factory.mktemp('seg_run'))
    train([osp.join(REPO, SEG_CONFIG), '--work-dir', work_dir,
           '--cfg-options', *as_cli(seg_options(tiny_rgbd, 2))])
    return work_dir


@pytest.fixture(scope='session')
def tiny_seg_run(tiny_rgbd, tmp_path_factory):
    """Work dir of a real 1-epoch run of tools/train.py with the narrow synthetic DeepLabV3
    (2 iterations): ``epoch_1.pth``. Tests copy it, never change it."""
    work_dir = str(tmp_path_factory.mktemp('tiny_seg_run'))
    train([osp.join(REPO, TINY_SEG_CONFIG), '--work-dir', work_dir,
           '--cfg-options', *as_cli(seg_options(tiny_rgbd, 1))])
    return work_dir


@pytest.fixture(scope='session')
def pixdepth_run(tiny_rgbd, tmp_path_factory):
    """Work dir of a real 1-epoch PixDepth pretraining by tools/train.py (8 images, batch 4:
    2 iterations): ``epoch_1.pth`` and the Runner's log. Tests copy it, never change it."""
    work_dir = str(tmp_path_factory.mktemp('pixdepth_run'))
    train([osp.join(REPO, PIXDEPTH_CONFIG), '--work-dir', work_dir,
           '--cfg-options', *as_cli(pretrain_options(tiny_rgbd))])
    return work_dir


@pytest.fixture(scope='session')
def python():
    return sys.executable


@pytest.fixture(autouse=True)
def restore_default_scope():
    """A Runner leaves its default scope set; keep each test's registry lookups its own."""
    with kept_default_scope():
        yield


@pytest.fixture(scope='session')
def tool_main():
    """``tool_main('dataset_converters/nyuv2.py')`` is the ``main(argv=None)`` of that script
    under tools/, loaded in-process."""
    return lambda relative: load_tool(osp.join('tools', relative)).main


@pytest.fixture(scope='session')
def pretraining_item():
    """``pretraining_item(config, data_root, **overrides)``: the first item of the training
    dataset of ``configs/<config>`` built on ``data_root`` (dataset keys overridden)."""
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import DATASETS

    from mmpixdepth.utils import load_config

    def build(config, data_root, **overrides):
        cfg = load_config(osp.join(REPO, 'configs', config))
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            dataset = DATASETS.build(dict(cfg.train_dataloader.dataset, data_root=data_root,
                                          **overrides))
            return dataset[0]

    return build
