"""Time and peak memory of PixDepth's pixel loss alone, unchunked and chunked.

Forward + backward of the model's pixel head (all threshold groups, the pair masks included) on
random features of ``[B, C, S, S]`` cells, with and without the head's ``chunk_size``.
"""
from typing import Dict, List, Sequence, Tuple

import torch
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS
from torch.utils.benchmark import Measurement

from mmpixdepth.analysis.interleaved_timing import interleaved_measurements
from mmpixdepth.analysis.peak_memory import peak_memory
from mmpixdepth.analysis.pretrain_speed import random_views

MODES = ('unchunked', 'chunked')


def pixel_loss_measurements(
        cfg: dict, loss_type: str, sizes: Sequence[int], batch: int, chunk_size: int,
        device: torch.device, repeats: int, min_passes: int
) -> List[Tuple[int, Dict[str, List[Measurement]], Dict[str, int]]]:
    """Per feature-map side S: ``(S, mode -> Measurements, mode -> peak bytes)``.

    Args:
        cfg: PixDepth model dict (``model_cfgs(...)['PixDepth']``).
        loss_type: ``'contrast'`` (the config's head) or ``'propagation'``
            (:class:`PixelPropagationHead`).
        sizes: feature-map sides S.
        batch: images (view pairs) per pass.
        chunk_size: the head's ``chunk_size`` in the chunked mode (cells of view 1 per block).
        device: device of the model and the features.
        repeats: interleaved measurements per size and mode.
        min_passes: timed passes per measurement, at least (``min_calls``).

    Returns:
        One row per size; peak bytes as :func:`peak_memory` (the peak-memory pass is also the
        first warm-up).
    """
    channels = cfg['neck']['out_channels']
    head = cfg['head']
    if loss_type == 'propagation':
        head = dict(type='PixelPropagationHead', ppm=dict(
            type='PixelPropagation', channels=channels, norm_cfg=dict(type='BN')))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        models = {mode: MODELS.build(dict(cfg, head=dict(head, chunk_size=chunk))).to(device)
                  for mode, chunk in zip(MODES, (None, chunk_size))}
    rows = []
    gen = torch.Generator().manual_seed(1)
    for size in sizes:
        coord, depth = random_views(batch, (size, size), gen)
        coord, depth = coord.to(device), depth.to(device)
        feats = [torch.randn(batch, channels, size, size, generator=gen).to(device)
                 for _ in range(4)]

        def case(model):

            def run():
                online = [f.detach().requires_grad_(True) for f in feats[:2]]
                masks = model.pair_masks(coord, depth, (size, size))
                model.head.loss(*online, *feats[2:], masks).mean().backward()

            return run

        cases = {mode: case(model) for mode, model in models.items()}
        memory = {mode: peak_memory(run, device) for mode, run in cases.items()}
        times = interleaved_measurements(cases, repeats, min_passes, label=f'pixel loss {size}')
        rows.append((size, times, memory))
    return rows
