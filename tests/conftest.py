import contextlib
import importlib.util
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


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
def tool():
    """Import a script of ``tools/`` (path relative to the repository) as a module, to run its
    ``main(argv)`` in this process."""

    def load(path):
        name = 'tool_' + osp.splitext(osp.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, osp.join(REPO, path))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture(scope='session')
def seg_run(tiny_rgbd, tmp_path_factory, tool):
    """Work dir of a real 2-epoch run of tools/train.py (synthetic DeepLabV3, 2 iterations per
    epoch): ``epoch_1.pth``, ``epoch_2.pth``, ``last_checkpoint``. Tests copy it, never change
    it."""
    from test_checkpoint import CONFIG, as_cli, tiny_options
    work_dir = str(tmp_path_factory.mktemp('seg_run'))
    with kept_default_scope():
        tool('tools/train.py').main([osp.join(REPO, CONFIG), '--work-dir', work_dir,
                                     '--cfg-options', *as_cli(tiny_options(tiny_rgbd, 2))])
    return work_dir


@pytest.fixture(scope='session')
def python():
    return sys.executable


@contextlib.contextmanager
def kept_default_scope():
    """Undo the default scope that a Runner built inside the block leaves set."""
    from mmengine.registry import DefaultScope
    saved = DefaultScope._instance_dict.copy()
    try:
        yield
    finally:
        DefaultScope._instance_dict.clear()
        DefaultScope._instance_dict.update(saved)


@pytest.fixture(autouse=True)
def restore_default_scope():
    """A Runner leaves its default scope set; keep each test's registry lookups its own."""
    with kept_default_scope():
        yield


@pytest.fixture(scope='session')
def tool_main():
    """``tool_main('dataset_converters/nyuv2.py')`` is the ``main(argv=None)`` of that script
    under tools/, loaded in-process."""
    import importlib.util

    def load(relative):
        path = osp.join(REPO, 'tools', relative)
        spec = importlib.util.spec_from_file_location(
            'tool_' + relative.replace('/', '_')[:-len('.py')], path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.main

    return load


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
