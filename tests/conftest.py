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
def python():
    return sys.executable


@pytest.fixture(autouse=True)
def restore_default_scope():
    """A Runner leaves its default scope set; keep each test's registry lookups its own."""
    from mmengine.registry import DefaultScope
    saved = DefaultScope._instance_dict.copy()
    yield
    DefaultScope._instance_dict.clear()
    DefaultScope._instance_dict.update(saved)
