"""Helpers the tests share: paths and configs, ``--cfg-options`` for tiny runs, the tools run
in-process, random boxes and depth, PFM files, the package's registered modules. Fixtures are in
``conftest.py``; tests import helpers from here, never from each other."""
import contextlib
import glob
import importlib.util
import os
import os.path as osp
import socket
import sys

import numpy as np
import torch
from mmengine import fileio

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))  # tests/helpers.py -> the repository
#: the narrow (16 base channels) synthetic DeepLabV3: checkpoints of 1 MB, not 160
SEG_CONFIG = 'configs/deeplabv3/deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py'
#: the narrow synthetic pretraining configs of the quick start's benchmarks: 8 MB checkpoints
PIXDEPTH_CONFIG = 'configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'
PIXPRO_CONFIG = 'configs/pixpro/pixpro_r18-w16_1xb32-100e_synthetic-64x64.py'
#: a full-width ResNet-18 (stride-16 C5, 6x6 cells on 96x96 views), whose checkpoint the
#: DeepLabV3 of the paper's encoder loads
PIXDEPTH_R18_CONFIG = 'configs/pixdepth/pixdepth_r18_1xb16-5e_synthetic-96x96.py'


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
        'default_hooks.checkpoint.interval': 1,
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


class Payload:
    """Unpickling it runs ``touch <marker>``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def write_code_payload(src, path, marker):
    """A real Runner checkpoint holding an object whose unpickling creates ``marker``."""
    checkpoint = torch.load(src, weights_only=False)
    checkpoint['meta']['note'] = Payload(marker)
    torch.save(checkpoint, path)
    return str(path)


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


def view_pair_samples(coord, depth):
    """DataSamples of a batch of view pairs as PixProViews makes them: ``coord`` [B, 2, 4] and
    ``depth_cells`` [B, 2, h, w] per sample."""
    from mmpretrain.structures import DataSample
    samples = []
    for boxes, cells in zip(coord, depth):
        sample = DataSample()
        sample.set_field(boxes, 'coord')
        sample.set_field(cells, 'depth_cells')
        samples.append(sample)
    return samples


def random_depth(gen, batch, feat_hw, nan_prob=0.2, dtype=torch.float64):
    depth = torch.rand(batch, *feat_hw, generator=gen, dtype=dtype)
    depth[torch.rand(batch, *feat_hw, generator=gen) < nan_prob] = float('nan')
    return depth


@contextlib.contextmanager
def kept_default_scope():
    """Run the block without a default scope, as in a fresh process, and put the scopes of
    before it back afterwards (a Runner leaves its default scope set; mmengine's
    ``overwrite_default_scope`` replaces the dict of scopes)."""
    from collections import OrderedDict

    from mmengine.registry import DefaultScope
    saved = DefaultScope._instance_dict
    DefaultScope._instance_dict = OrderedDict()
    try:
        yield
    finally:
        DefaultScope._instance_dict = saved


def write_pfm(path, array, little_endian=True):
    """Write a float32 PFM file.

    Args:
        path (str | Path): Output file (parent folders are created).
        array (np.ndarray): ``(H, W)`` (written as ``Pf``) or ``(H, W, 3)`` (``PF``); values
            are stored as float32.
        little_endian (bool): Byte order of the data (the scale is -1 for little endian and
            1 for big endian). Defaults to True.
    """
    array = np.asarray(array)
    if array.ndim == 2:
        kind = 'Pf'
    elif array.ndim == 3 and array.shape[2] == 3:
        kind = 'PF'
    else:
        raise ValueError(f'PFM holds (H, W) or (H, W, 3) arrays, got shape {array.shape}')
    height, width = array.shape[:2]
    # Written here: OpenCV's PFM encoder writes the host byte order only.
    dtype = np.dtype('<f4') if little_endian else np.dtype('>f4')
    scale = -1.0 if little_endian else 1.0
    header = f'{kind}\n{width} {height}\n{scale}\n'.encode('ascii')
    data = np.ascontiguousarray(np.flipud(array), dtype=dtype).tobytes()
    fileio.put(header + data, str(path))


def registered_modules():
    """Return ``{(registry scope, registry name, key): class}`` for every mmpixdepth module."""
    from mmpixdepth.registry import ALL_REGISTRIES
    found = {}
    for registry in ALL_REGISTRIES:
        for key, cls in registry.module_dict.items():
            if cls.__module__.startswith('mmpixdepth.'):
                found[(registry.scope, registry.name, key)] = cls
    return found
