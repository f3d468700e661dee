"""Train-step time of PixDepth, its PixContrast twin and mmpretrain's BYOL and DenseCL.

The four models share the ResNet, the batch and the input size. PixDepth comes from a model config
of this package (pixel contrast loss, 3 zipped thresholds), PixContrast is the same model without
the depth test, BYOL and DenseCL are the model dicts of mmpretrain's own configs (BN instead of
SyncBN, a DenseCL queue of 128 x batch). All are built from mmpretrain's registry and trained
through mmengine's ``OptimWrapper`` (SGD) on one random batch.
"""
import copy
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import mmpretrain
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch.utils.benchmark import Measurement

from mmpixdepth.analysis.interleaved_timing import interleaved_measurements
from mmpixdepth.utils import sync_bn_to_bn

MMPRETRAIN_CONFIGS = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'configs')
BYOL_CONFIG = osp.join(MMPRETRAIN_CONFIGS, 'byol', 'byol_resnet50_16xb256-coslr-200e_in1k.py')
DENSECL_CONFIG = osp.join(MMPRETRAIN_CONFIGS, 'densecl',
                          'densecl_resnet50_8xb32-coslr-200e_in1k.py')
DENSECL_QUEUE_PER_IMAGE = 128


def model_cfgs(pixdepth_model: str, depth: int, batch: int) -> Dict[str, dict]:
    """Model dicts of PixDepth, PixContrast, BYOL and DenseCL on the same ResNet.

    Args:
        pixdepth_model: config file whose ``model`` is PixDepth (e.g.
            ``configs/_base_/models/pixdepth_r34.py``); its data preprocessor is used by all.
        depth: ResNet depth (18, 34 or 50).
        batch: images per step (DenseCL's queue holds 128 x batch keys).
    """
    channels = 2048 if depth == 50 else 512
    pixdepth = Config.fromfile(pixdepth_model).model.to_dict()
    preprocessor = pixdepth['data_preprocessor']
    pixdepth['backbone'].update(depth=depth)
    pixdepth['neck'].update(in_channels=channels)
    twin = dict(copy.deepcopy(pixdepth), type='PixContrast', depth_thr=None)

    byol = Config.fromfile(BYOL_CONFIG).model.to_dict()
    byol['backbone'].update(depth=depth)
    byol['neck'].update(in_channels=channels, norm_cfg=dict(type='BN1d'))
    byol['head']['predictor'].update(norm_cfg=dict(type='BN1d'))

    densecl = Config.fromfile(DENSECL_CONFIG).model.to_dict()
    densecl['backbone'].update(depth=depth)
    densecl['neck'].update(in_channels=channels)
    densecl['queue_len'] = DENSECL_QUEUE_PER_IMAGE * batch  # a multiple of the batch

    cfgs = dict(PixDepth=pixdepth, PixContrast=twin, BYOL=byol, DenseCL=densecl)
    for cfg in cfgs.values():
        cfg['data_preprocessor'] = copy.deepcopy(preprocessor)
    sync_bn_to_bn(cfgs)  # one process, possibly on a CPU
    return cfgs


def random_views(batch: int, feat_hw: Tuple[int, int], gen: torch.Generator,
                 nan_prob: float = 0.1) -> Tuple[torch.Tensor, torch.Tensor]:
    """Random view boxes ``[B, 2, 4]`` (x1, y1, x2, y2 in [0, 1], some flipped) and per-cell
    depth ``[B, 2, H, W]`` in [0, 1] (a share ``nan_prob`` of NaN)."""
    size = 0.3 + 0.7 * torch.rand(batch, 2, 2, generator=gen)  # box width, height
    ul = torch.rand(batch, 2, 2, generator=gen) * (1 - size)
    coord = torch.cat([ul, ul + size], dim=-1)
    flip = torch.rand(batch, 2, generator=gen) < 0.5
    coord[flip] = coord[flip][:, [2, 1, 0, 3]]
    depth = torch.rand(batch, 2, *feat_hw, generator=gen)
    depth[torch.rand(batch, 2, *feat_hw, generator=gen) < nan_prob] = float('nan')
    return coord, depth


def train_batch(batch: int, crop: int, gen: torch.Generator, stride: int = 32) -> dict:
    """A collated batch as the data loader gives it: 2 uint8 views ``[B, 3, crop, crop]`` and
    the DataSamples (``coord``, ``depth_cells`` of ``crop / stride`` cells a side)."""
    cells = crop // stride
    coord, depth = random_views(batch, (cells, cells), gen)
    inputs = [torch.randint(0, 256, (batch, 3, crop, crop), generator=gen, dtype=torch.uint8)
              for _ in range(2)]
    samples = []
    for i in range(batch):
        sample = DataSample()
        sample.set_field(coord[i], 'coord')
        sample.set_field(depth[i], 'depth_cells')
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def build_step(cfg: dict, device: torch.device, data: dict, amp_dtype: Optional[str] = None,
               channels_last: bool = False) -> Callable[[], dict]:
    """A closure running one train step of a fresh model (seed 0) through an OptimWrapper
    (with ``amp_dtype``: ``AmpOptimWrapper`` on a GPU, :class:`AutocastOptimWrapper` in
    bfloat16 on a CPU), with the model's weights in channels_last layout if asked."""
    torch.manual_seed(0)
    optim = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-5)
    if amp_dtype is None:
        wrapper = dict(type='OptimWrapper', optimizer=optim)
    elif device.type == 'cpu':
        wrapper = dict(type='AutocastOptimWrapper', optimizer=optim, dtype=amp_dtype)
    else:
        wrapper = dict(type='AmpOptimWrapper', optimizer=optim, dtype=amp_dtype)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(copy.deepcopy(cfg))
        model.init_weights()
        model.to(device).train()
        if channels_last:
            model.to(memory_format=torch.channels_last)
        optim_wrapper = build_optim_wrapper(model, wrapper)
    return lambda: model.train_step(data, optim_wrapper)


#: the modes of :func:`mode_measurements`: name -> (autocast dtype, channels_last)
MODES = {'fp32': (None, False), 'channels_last': (None, True), 'bf16': ('bfloat16', False),
         'bf16 + channels_last': ('bfloat16', True)}


def mode_measurements(cfg: dict, batch: int, crop: int, stride: int, device: torch.device,
                      repeats: int, min_steps: int, warmup: int,
                      modes: Sequence[str] = tuple(MODES)) -> Dict[str, List[Measurement]]:
    """Seconds per train step of one model in each of ``modes`` (:data:`MODES`), interleaved.

    Args:
        cfg: model dict.
        batch, crop, stride: images per step, side of the square views and the backbone's
            output stride (cells of ``crop / stride`` a side).
    """
    MessageHub.get_current_instance().update_info('max_iters', 10**6)
    data = train_batch(batch, crop, torch.Generator().manual_seed(0), stride)
    steps = {mode: build_step(cfg, device, data, *MODES[mode]) for mode in modes}
    return interleaved_measurements(steps, repeats, min_steps, warmup, label='train step')


def train_step_measurements(cfgs: Dict[str, dict], batch: int, crop: int, device: torch.device,
                            repeats: int, min_steps: int, warmup: int,
                            amp_dtype: Optional[str] = None) -> Dict[str, List[Measurement]]:
    """Seconds per train step of each model, one Measurement per interleaved repeat.

    Args:
        cfgs: name -> model dict (see :func:`model_cfgs`).
        batch, crop: images per step and side of the square views in pixels.
        repeats, min_steps, warmup: see :func:`interleaved_measurements` (``min_calls``).
        amp_dtype: ``'float16'`` or ``'bfloat16'`` for mixed precision; None for float32.
    """
    # mmpretrain's CosineEMA reads the schedule length that a Runner would set.
    MessageHub.get_current_instance().update_info('max_iters', 10**6)
    data = train_batch(batch, crop, torch.Generator().manual_seed(0))
    steps = {name: build_step(cfg, device, data, amp_dtype) for name, cfg in cfgs.items()}
    return interleaved_measurements(steps, repeats, min_steps, warmup, label='train step')
