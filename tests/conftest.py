"""Fixtures and helpers shared by the tests (tests import helpers from here, never from each
other): tiny datasets written to temporary folders, in-process runs of the real tools, and one
session-wide training run of each kind that the tests needing a checkpoint share."""
import contextlib
import glob
import importlib.util
import os.path as osp
import socket
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SEG_CONFIG = 'configs/deeplabv3/deeplabv3_r18_1xb8-20e_synthetic-128x128.py'
PIXDEPTH_CONFIG = 'configs/pixdepth/pixdepth_r18_1xb16-5e_synthetic-96x96.py'
PIXPRO_CONFIG = 'configs/pixpro/pixpro_r18_1xb16-5e_synthetic-96x96.py'


def as_cli(options):
    """``{key: value}`` as ``--cfg-options`` arguments (``None`` spelled out)."""
    return [f'{k}={"None" if v is None else v}' for k, v in options.items()]


def seg_options(data_root, max_epochs):
    """--cfg-options making the synthetic segmentation config run in seconds on CPU."""
    options = {
        'train_cfg.max_epochs': max_epochs,
        'train_cfg.val_interval': 1,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.save_best': None,
        'default_hooks.checkpoint.max_keep_ckpts': -1,
    }
    for split in ('train', 'val', 'test'):
        options.update({
            f'{split}_dataloader.dataset.data_root': data_root,
            f'{split}_dataloader.batch_size': 4 if split == 'train' else 1,
            f'{split}_dataloader.num_workers': 0,
            f'{split}_dataloader.persistent_workers': False,
        })
    return options


def pretrain_options(data_root, max_epochs=1):
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


def head_kind(model):
    """'propagation' or 'contrast': the pixel head of a PixPro-family model."""
    return 'propagation' if type(model.head).__name__ == 'PixelPropagationHead' else 'contrast'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_log(work_dir):
    """Text of the newest log file mmengine's Runner wrote under ``work_dir``."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.log')), key=osp.getmtime)
    assert logs, f'no Runner log under {work_dir}'
    with open(logs[-1]) as f:
        return f.read()


def load_tool(path):
    """A script of ``tools/`` (path relative to the repository) imported as a module, to run
    its ``main(argv)`` in this process."""
    name = 'tool_' + osp.splitext(path)[0].replace('/', '_')
    spec = importlib.util.spec_from_file_location(name, osp.join(REPO, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train(argv):
    """``tools/train.py`` in this process (the default scope restored after it)."""
    with kept_default_scope():
        load_tool('tools/train.py').main(argv)


# loading of a 3DPM sample: reflectance, depth (0 = invalid), depth as an image channel
LOAD_3DPM = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='LoadDepthFromFile', invalid_values=(0, )),
    dict(type='DepthToImage'),
]
PER_CLASS_3DPM = 5


def random_views(rng, batch, img_hw=(180, 320), flip_prob=0.5):
    """[B, 4] boxes of random crops of a (non-square) image, some horizontally flipped."""
    img_h, img_w = img_hw
    boxes = []
    for _ in range(batch):
        h, w = rng.randint(img_h // 3, img_h), rng.randint(img_w // 3, img_w)
        i, j = rng.randint(0, img_h - h), rng.randint(0, img_w - w)
        x_ul, x_lr = j / (img_w - 1), (j + w - 1) / (img_w - 1)
        if rng.random() < flip_prob:
            x_ul, x_lr = x_lr, x_ul
        boxes.append([x_ul, i / (img_h - 1), x_lr, (i + h - 1) / (img_h - 1)])
    return torch.tensor(boxes, dtype=torch.float64)


def random_depth(gen, batch, feat_hw, nan_prob=0.2, dtype=torch.float64):
    depth = torch.rand(batch, *feat_hw, generator=gen, dtype=dtype)
    depth[torch.rand(batch, *feat_hw, generator=gen) < nan_prob] = float('nan')
    return depth


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
