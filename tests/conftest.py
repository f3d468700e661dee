"""Fixtures shared by the tests: tiny datasets written to temporary folders, the tools run
in-process, and one training run of each kind that the tests needing a checkpoint share (made
once per test run, for all pytest-xdist workers). Helper functions are in ``helpers.py``."""
import gc
import os
import os.path as osp
import shutil
import sys

import pytest
from filelock import FileLock

from helpers import (PER_CLASS_3DPM, PIXDEPTH_R18_CONFIG, REPO, SEG_CONFIG, as_cli,
                     kept_default_scope, load_tool, pretrain_options, seg_options, train)


def pytest_configure(config):
    """Under pytest-xdist, one thread per worker process: the workers already use the cores, and
    threads competing with them cost more than they give."""
    if config.getoption('numprocesses', None) or 'PYTEST_XDIST_WORKER' in os.environ:
        import torch  # here: the controlling process of pytest-xdist needs no torch
        torch.set_num_threads(1)
        os.environ['OMP_NUM_THREADS'] = '1'  # and the processes the tests start


def pytest_collection_finish(session):
    """Move the objects of the imported packages and collected tests out of the garbage
    collector's reach: mmengine's datasets call ``gc.collect()`` when built, and each call would
    walk all of them again (a quarter of a second each in a test worker)."""
    gc.collect()
    gc.freeze()


def _managed_classes(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _managed_classes(sub)


@pytest.fixture(autouse=True)
def no_runner_instances_from_other_tests():
    """Each test starts without the loggers, message hubs and visualizers of earlier runners. A
    Runner names them after its config file and the second it starts, and takes over an existing
    instance of that name: a test that trains a config within the second a shared training
    fixture started on the same config would log into the fixture's folder."""
    from mmengine.registry import DefaultScope
    from mmengine.utils import ManagerMixin
    for cls in _managed_classes(ManagerMixin):
        if not issubclass(cls, DefaultScope):
            cls._instance_dict.clear()


def made_once(tmp_path_factory, name, make):
    """The folder ``name`` filled by ``make(folder)`` once per test run: under pytest-xdist the
    first worker to ask makes it (under a file lock, in the run's temporary folder that all
    workers share) and the others wait for it and reuse it. Tests read it, never change it."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if 'PYTEST_XDIST_WORKER' in os.environ else base
    folder, done = root / name, root / f'{name}.done'
    with FileLock(str(root / f'{name}.lock')):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(str(folder))
            done.touch()
    return str(folder)


@pytest.fixture(scope='session')
def repo_root():
    return REPO


@pytest.fixture(scope='session')
def tiny_rgbd(tmp_path_factory):
    """A tiny synthetic RGB-D set on disk (8 train + 2 val images, 64x64), shared by the tests."""
    from mmpixdepth.datasets import generate_synthetic_rgbd
    return made_once(tmp_path_factory, 'synthetic_rgbd', lambda root: generate_synthetic_rgbd(
        root, num_train=8, num_val=2, size=64, seed=0, workers=1))


@pytest.fixture(scope='session')
def tiny_3dpm(tmp_path_factory):
    """A tiny synthetic 3DPM set: 7 classes x 5 samples of 32x32, with 60/20/20 splits
    (3/1/1 per class)."""
    from mmpixdepth.datasets import generate_synthetic_3dpm
    return made_once(tmp_path_factory, 'synthetic_3dpm', lambda root: generate_synthetic_3dpm(
        root, num_per_class=PER_CLASS_3DPM, size=32, seed=0))


@pytest.fixture(scope='session')
def tool():
    """:func:`load_tool` as a fixture."""
    return load_tool


@pytest.fixture(scope='session')
def seg_run(tiny_rgbd, tmp_path_factory, tool):
    """Work dir of a real 2-epoch run of tools/train.py (the narrow synthetic DeepLabV3, 2
    iterations per epoch): ``epoch_1.pth``, ``epoch_2.pth``, ``last_checkpoint``. Tests copy
    it, never change it."""
    return made_once(tmp_path_factory, 'seg_run', lambda work_dir: train(
        [osp.join(REPO, SEG_CONFIG), '--work-dir', work_dir,
         '--cfg-options', *as_cli(seg_options(tiny_rgbd, 2))]))


@pytest.fixture(scope='session')
def pixdepth_run(tiny_rgbd, tmp_path_factory):
    """Work dir of a real 1-epoch PixDepth pretraining by tools/train.py (8 images, batch 4:
    2 iterations): ``epoch_1.pth`` and the Runner's log. Tests copy it, never change it."""
    return made_once(tmp_path_factory, 'pixdepth_run', lambda work_dir: train(
        [osp.join(REPO, PIXDEPTH_R18_CONFIG), '--work-dir', work_dir,
         '--cfg-options', *as_cli(pretrain_options(tiny_rgbd))]))


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
