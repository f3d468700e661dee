"""Segmentation probes on a frozen encoder, trained on features computed once per image.

A frozen encoder gives the same features at every epoch, so the features of the train and
evaluation images are computed once (train images also horizontally flipped, the one
augmentation of the segmentation configs) and the heads are trained on them:

- ``linear``: a linear classifier on each cell (1x1 convolution after a parameter-free
  BatchNorm, so that encoders with differently scaled features are probed alike);
- ``aspp``: the DeepLabV3 head of the segmentation config (mmseg's ``ASPPHead``), narrowed to
  ``aspp_channels``.

Logits are upsampled bilinearly (as mmseg's decode heads do): for training to the labels taken
every ``label_stride`` pixels (default 4: 16 times fewer pixels in the cross-entropy than at full
resolution, which dominates the cost of a linear probe), for evaluation to the full label size.
mIoU and per-class IoU use mmseg's ``IoUMetric`` maths. Training is deterministic for a seed.
"""
import copy
import math
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from mmengine.utils import ProgressBar
from mmseg.evaluation.metrics import IoUMetric
from mmseg.registry import DATASETS, MODELS

from mmpixdepth.engine import forward_precision
from mmpixdepth.visualization.similarity import encoder_features

#: the images and labels of a split as the probe uses them
PROBE_PIPELINE = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                  dict(type='PackSegInputs')]
HEADS = ('linear', 'aspp')


def build_split(cfg: Config, split: str):
    """The dataset of ``cfg.<split>_dataloader`` with :data:`PROBE_PIPELINE` (no augmentation)."""
    key = f'{split}_dataloader'
    if key not in cfg:
        raise KeyError(f'config {cfg.filename} has no {key}')
    dataset_cfg = copy.deepcopy(cfg[key].dataset)
    dataset_cfg.pipeline = PROBE_PIPELINE
    with DefaultScope.overwrite_default_scope('mmseg'):
        return DATASETS.build(dataset_cfg)


def extract_features(encoder: nn.Module, dataset, preprocessor: dict, flip: bool = False,
                     batch_size: int = 16, progress: bool = False,
                     dtype: Optional[torch.dtype] = None,
                     channels_last: bool = False) -> Tuple[torch.Tensor, torch.Tensor]:
    """Features of ``encoder`` (eval mode, no gradient) and labels of every image of ``dataset``.

    Args:
        encoder: backbone whose last output is the probed map.
        dataset: mmseg dataset with :data:`PROBE_PIPELINE`; images of one size.
        preprocessor: the segmentation config's ``SegDataPreProcessor`` settings.
        flip: also add the horizontally flipped images (and labels) after the originals.
        dtype: run the encoder under ``torch.autocast`` in this dtype; None for float32.
        channels_last: put the encoder's weights in channels_last layout first. ``dtype`` and
            ``channels_last`` as the config trains: :func:`mmpixdepth.engine.forward_precision`.

    Returns:
        ``feats`` [N, C, h, w] float32 and ``labels`` [N, H, W] int64 (N doubled by ``flip``).
    """
    with DefaultScope.overwrite_default_scope('mmseg'):
        prep = MODELS.build(dict(preprocessor, size_divisor=None, size=None))
    encoder.eval()
    if channels_last:
        encoder.to(memory_format=torch.channels_last)
    feats, labels, flipped_feats, flipped_labels = [], [], [], []
    bar = ProgressBar(len(dataset)) if progress else None
    for start in range(0, len(dataset), batch_size):
        items = [dataset[i] for i in range(start, min(start + batch_size, len(dataset)))]
        shapes = {tuple(item['inputs'].shape) for item in items}
        if len(shapes) > 1:
            raise ValueError(f'the probe needs images of one size; {dataset.data_root} has '
                             f'{sorted(shapes)}')
        batch = prep(dict(inputs=[it['inputs'] for it in items],
                          data_samples=[it['data_samples'] for it in items]), training=False)
        label = torch.stack([s.gt_sem_seg.data[0] for s in batch['data_samples']]).long()
        with torch.autocast(batch['inputs'].device.type, dtype=dtype, enabled=dtype is not None):
            feats.append(encoder_features(encoder, batch['inputs']).float())
            if flip:
                flipped_feats.append(encoder_features(encoder, batch['inputs'].flip(-1)).float())
        labels.append(label)
        if flip:
            flipped_labels.append(label.flip(-1))
        if bar is not None:
            for _ in items:
                bar.update()
    return torch.cat(feats + flipped_feats), torch.cat(labels + flipped_labels)


def build_head(kind: str, in_channels: int, num_classes: int, aspp_cfg: Optional[dict] = None,
               aspp_channels: int = 64) -> nn.Module:
    """A probe head mapping [B, C, h, w] features to [B, num_classes, h, w] logits.

    Args:
        kind: 'linear' or 'aspp'.
        aspp_cfg: the segmentation config's ``decode_head`` (dilations, dropout) for 'aspp'.
        aspp_channels: width of the ASPP branches.
    """
    if kind == 'linear':
        return nn.Sequential(nn.BatchNorm2d(in_channels, affine=False),
                             nn.Conv2d(in_channels, num_classes, 1))
    if kind == 'aspp':
        cfg = dict(aspp_cfg or dict(type='ASPPHead', dilations=(1, 6, 12, 18)))
        cfg.update(in_channels=in_channels, in_index=0, channels=aspp_channels,
                   num_classes=num_classes, norm_cfg=dict(type='BN', requires_grad=True))
        with DefaultScope.overwrite_default_scope('mmseg'):
            head = MODELS.build(cfg)
        head.init_weights()
        return _ListInput(head)
    raise ValueError(f'unknown probe head {kind!r}; choose from {HEADS}')


class _ListInput(nn.Module):
    """Calls an mmseg decode head (which takes a list of maps) on one map."""

    def __init__(self, head: nn.Module):
        super().__init__()
        self.head = head

    def forward(self, x):
        return self.head([x])


def _logits(head: nn.Module, feats: torch.Tensor, size) -> torch.Tensor:
    return F.interpolate(head(feats), size=size, mode='bilinear', align_corners=False)


def train_head(head: nn.Module, feats: torch.Tensor, labels: torch.Tensor, epochs: int,
               batch_size: int = 32, lr: float = 1e-3, seed: int = 0,
               ignore_index: int = 255, label_stride: int = 1) -> float:
    """Train ``head`` with Adam and a cosine decay (the paper's downstream recipe) on cached
    features [N, C, h, w] and labels [N, H, W] (every ``label_stride``-th pixel, from the
    centre of each block); returns the mean loss of the last epoch."""
    if label_stride > 1:
        offset = label_stride // 2
        labels = labels[:, offset::label_stride, offset::label_stride]
    gen = torch.Generator().manual_seed(seed)
    steps = epochs * math.ceil(len(feats) / batch_size)
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    head.train()
    last = math.nan
    for _ in range(epochs):
        order = torch.randperm(len(feats), generator=gen)
        losses = []
        for start in range(0, len(feats), batch_size):
            idx = order[start:start + batch_size]
            if len(idx) < 2:  # BatchNorm needs two samples
                continue
            loss = F.cross_entropy(_logits(head, feats[idx], labels.shape[-2:]), labels[idx],
                                   ignore_index=ignore_index)
            if not torch.isfinite(loss):
                raise FloatingPointError(f'the probe loss is {loss.item()}: the cached features '
                                         'hold NaN/inf or the learning rate is too high')
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
        last = float(np.mean(losses)) if losses else math.nan
    return last


@torch.no_grad()
def evaluate_head(head: nn.Module, feats: torch.Tensor, labels: torch.Tensor,
                  class_names: Sequence[str], ignore_index: int = 255,
                  batch_size: int = 64) -> Dict[str, float]:
    """``mIoU`` and ``IoU.<class>`` (percent; NaN for a class absent from labels and
    predictions) of ``head``'s predictions, with mmseg's IoU maths."""
    head.eval()
    num_classes = len(class_names)
    areas = torch.zeros(4, num_classes, dtype=torch.float64)
    for start in range(0, len(feats), batch_size):
        pred = _logits(head, feats[start:start + batch_size], labels.shape[-2:]).argmax(1)
        for p, y in zip(pred, labels[start:start + batch_size]):
            areas += torch.stack([a.double() for a in IoUMetric.intersect_and_union(
                p, y, num_classes, ignore_index)])
    iou = IoUMetric.total_area_to_metrics(*areas, metrics=['mIoU'])['IoU']
    iou = np.asarray(iou, dtype=np.float64) * 100
    metrics = {'mIoU': float(np.nanmean(iou)) if not np.isnan(iou).all() else math.nan}
    metrics.update({f'IoU.{name}': float(v) for name, v in zip(class_names, iou)})
    return metrics


def probe_encoder(encoder: nn.Module, cfg: Config, heads: Sequence[str] = HEADS,
                  epochs: Dict[str, int] = None, lr: Dict[str, float] = None,
                  aspp_channels: int = 64, batch_size: int = 32, label_stride: int = 4,
                  seed: int = 0, train_split: str = 'train',
                  eval_split: str = 'val') -> Dict[str, float]:
    """Train each probe head on ``encoder``'s cached features of ``cfg``'s train split and
    evaluate it on ``eval_split``; returns ``{'<head> mIoU': ..., '<head> IoU.<class>': ...}``.

    Args:
        cfg: a segmentation config (datasets, ``model.data_preprocessor``,
            ``model.decode_head``; ``optim_wrapper``: the encoder runs under autocast where it
            trains so).
        epochs, lr: per head kind; defaults ``{'linear': 30, 'aspp': 30}`` and
            ``{'linear': 1e-2, 'aspp': 1e-3}``.
    """
    epochs = {'linear': 30, 'aspp': 30, **(epochs or {})}
    lr = {'linear': 1e-2, 'aspp': 1e-3, **(lr or {})}
    unknown = set(heads) - set(HEADS)
    if unknown:
        raise ValueError(f'unknown probe head(s) {sorted(unknown)}; choose from {HEADS}')
    train_set, eval_set = build_split(cfg, train_split), build_split(cfg, eval_split)
    classes = list(train_set.metainfo['classes'])
    preprocessor = dict(cfg.model.data_preprocessor)
    # the encoder computes as the config trains
    dtype, channels_last = forward_precision(cfg.get('optim_wrapper'))
    train_feats, train_labels = extract_features(encoder, train_set, preprocessor, flip=True,
                                                 dtype=dtype, channels_last=channels_last)
    eval_feats, eval_labels = extract_features(encoder, eval_set, preprocessor, dtype=dtype,
                                               channels_last=channels_last)
    if not torch.isfinite(train_feats).all():
        raise FloatingPointError('the encoder gives NaN/inf features: its weights are broken')
    ignore = cfg.model.decode_head.get('ignore_index', 255)
    results = {}
    for kind in heads:
        torch.manual_seed(seed)
        head = build_head(kind, train_feats.shape[1], len(classes),
                          cfg.model.get('decode_head'), aspp_channels)
        train_head(head, train_feats, train_labels, epochs[kind], batch_size, lr[kind], seed,
                   ignore, label_stride)
        for key, value in evaluate_head(head, eval_feats, eval_labels, classes, ignore).items():
            results[f'{kind} {key}'] = value
    return results
