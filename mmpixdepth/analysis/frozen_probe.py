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
The cross-entropy weighs each class by the inverse of its pixel frequency in the training labels
(``class_weight='balanced'``, the default), so that a head cannot settle on predicting the
background of scenes with small objects. mIoU and per-class IoU use mmseg's ``IoUMetric`` maths;
beside them the foreground mIoU (classes other than 'background'), Boundary IoU and, where the
segmentation config's test pipeline loads depth, the mIoU near depth discontinuities
(:mod:`mmpixdepth.evaluation.boundary_iou`, settings from the config's ``BoundaryIoUMetric``).
Training is deterministic for a seed.
"""
import copy
import math
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.utils import ProgressBar
from mmseg.evaluation.metrics import IoUMetric
from mmseg.registry import DATASETS, MODELS

from mmpixdepth.engine import forward_precision
from mmpixdepth.evaluation import foreground_miou
from mmpixdepth.evaluation.boundary_iou import band_width, boundary_areas, edge_region
from mmpixdepth.models.encoder import encoder_features

#: the images and labels of a split as the probe uses them
PROBE_PIPELINE = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                  dict(type='PackSegInputs')]
HEADS = ('linear', 'aspp')
CLASS_WEIGHTS = (None, 'balanced')
#: the Boundary IoU settings of a config without a ``BoundaryIoUMetric`` evaluator
BOUNDARY_DEFAULTS = dict(width_ratio=0.02, width=None, depth_jump=0.05)


def depth_loader(cfg: Config) -> Optional[dict]:
    """The ``LoadDepthFromFile`` of ``cfg``'s test pipeline, writing ``gt_depth_map``; None
    when the test pipeline loads no depth."""
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get('pipeline') or []
    step = next((t for t in pipeline if t.get('type') == 'LoadDepthFromFile'), None)
    return None if step is None else dict(step, out_key='gt_depth_map')


def boundary_settings(cfg: Config) -> dict:
    """``width_ratio``, ``width`` and ``depth_jump`` of the config's ``BoundaryIoUMetric``
    (``test_evaluator``), else :data:`BOUNDARY_DEFAULTS`."""
    evaluators = cfg.get('test_evaluator') or []
    evaluators = [evaluators] if isinstance(evaluators, dict) else evaluators
    metric = next((e for e in evaluators if e.get('type') == 'BoundaryIoUMetric'), {})
    return {k: metric.get(k, v) for k, v in BOUNDARY_DEFAULTS.items()}


def build_split(cfg: Config, split: str, with_depth: bool = False):
    """The dataset of ``cfg.<split>_dataloader`` with :data:`PROBE_PIPELINE` (no augmentation);
    ``with_depth`` adds the test pipeline's depth loading (:func:`depth_loader`), if any."""
    key = f'{split}_dataloader'
    if key not in cfg:
        raise KeyError(f'config {cfg.filename} has no {key}')
    dataset_cfg = copy.deepcopy(cfg[key].dataset)
    loader = depth_loader(cfg) if with_depth else None
    dataset_cfg.pipeline = PROBE_PIPELINE[:2] + ([loader] if loader else []) + PROBE_PIPELINE[2:]
    with DefaultScope.overwrite_default_scope('mmseg'):
        return DATASETS.build(dataset_cfg)


def extract_features(encoder: nn.Module, dataset, preprocessor: dict, flip: bool = False,
                     batch_size: int = 16, progress: bool = False,
                     dtype: Optional[torch.dtype] = None,
                     channels_last: bool = False
                     ) -> Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
    """Features of ``encoder`` (eval mode, no gradient), labels and depth of every image of
    ``dataset``.

    Args:
        encoder: backbone whose last output is the probed map.
        dataset: mmseg dataset with :data:`PROBE_PIPELINE`; images of one size.
        preprocessor: the segmentation config's ``SegDataPreProcessor`` settings.
        flip: also add the horizontally flipped images (and labels) after the originals.
        dtype: run the encoder under ``torch.autocast`` in this dtype; None for float32.
        channels_last: put the encoder's weights in channels_last layout first. ``dtype`` and
            ``channels_last`` as the config trains: :func:`mmpixdepth.engine.forward_precision`.

    Returns:
        ``feats`` [N, C, h, w] float32, ``labels`` [N, H, W] int64 (N doubled by ``flip``) and
        ``depth`` [N, H, W] float32 (NaN invalid) where the dataset's pipeline loads it as
        ``gt_depth_map``, else None.
    """
    with DefaultScope.overwrite_default_scope('mmseg'):
        prep = MODELS.build(dict(preprocessor, size_divisor=None, size=None))
    encoder.eval()
    if channels_last:
        encoder.to(memory_format=torch.channels_last)
    feats, labels, depths, flipped_feats, flipped_labels = [], [], [], [], []
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
        if all('gt_depth_map' in s for s in batch['data_samples']):
            depths.append(torch.stack([s.gt_depth_map.data[0].float()
                                       for s in batch['data_samples']]))
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
    depth = None
    if depths and len(depths) == len(labels):
        depth = torch.cat(depths + ([d.flip(-1) for d in depths] if flip else []))
    return torch.cat(feats + flipped_feats), torch.cat(labels + flipped_labels), depth


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


def balanced_class_weights(labels: torch.Tensor, num_classes: int,
                           ignore_index: int = 255) -> torch.Tensor:
    """[num_classes] cross-entropy weights ``n / (k * n_c)`` (n labelled pixels, ``n_c`` of
    class c, k classes present), so that every present class weighs as much in total; 0 for a
    class absent from ``labels``."""
    valid = labels[labels != ignore_index]
    if valid.numel() and (valid.min() < 0 or valid.max() >= num_classes):
        raise ValueError(f'labels hold values outside [0, {num_classes}) other than the ignore '
                         f'index {ignore_index}')
    counts = torch.bincount(valid.flatten(), minlength=num_classes).double()
    present = counts > 0
    weights = torch.zeros(num_classes, dtype=torch.float64)
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return weights.float()


def train_head(head: nn.Module, feats: torch.Tensor, labels: torch.Tensor, epochs: int,
               batch_size: int = 32, lr: float = 1e-3, seed: int = 0,
               ignore_index: int = 255, label_stride: int = 1,
               class_weight: Optional[torch.Tensor] = None) -> float:
    """Train ``head`` with Adam and a cosine decay (the paper's downstream recipe) on cached
    features [N, C, h, w] and labels [N, H, W] (every ``label_stride``-th pixel, from the
    centre of each block), with the cross-entropy's per-class ``class_weight`` [K] (None: equal
    weights); returns the mean loss of the last epoch."""
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
                                   weight=class_weight, ignore_index=ignore_index)
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


def _miou(iou: np.ndarray) -> float:
    return float(np.nanmean(iou)) if not np.isnan(iou).all() else math.nan


def _iou_percent(areas: torch.Tensor) -> np.ndarray:
    """Per-class IoU (percent, NaN for an empty union) of summed areas [4, K] (mmseg's
    ``intersect_and_union`` order)."""
    iou = IoUMetric.total_area_to_metrics(*areas, metrics=['mIoU'])['IoU']
    return np.asarray(iou, dtype=np.float64) * 100


@torch.no_grad()
def evaluate_head(head: nn.Module, feats: torch.Tensor, labels: torch.Tensor,
                  class_names: Sequence[str], ignore_index: int = 255,
                  batch_size: int = 64, depth: Optional[torch.Tensor] = None,
                  boundary: Optional[dict] = None) -> Dict[str, float]:
    """Metrics (percent) of ``head``'s predictions on features [N, C, h, w] against labels
    [N, H, W]: ``mIoU`` and ``IoU.<class>`` with mmseg's IoU maths (NaN for a class absent
    from labels and predictions), ``fg_mIoU`` (:func:`foreground_miou`), ``bIoU`` and
    ``bIoU.<class>`` (Boundary IoU), and with ``depth`` [N, H, W] ``edge_mIoU`` (the mIoU of
    the pixels near a depth discontinuity). ``boundary``: ``width_ratio``, ``width`` and
    ``depth_jump`` as :class:`BoundaryIoUMetric` takes them (default
    :data:`BOUNDARY_DEFAULTS`)."""
    boundary = {**BOUNDARY_DEFAULTS, **(boundary or {})}
    width = boundary['width']
    if width is None:
        width = band_width(labels.shape[-2:], boundary['width_ratio'])
    edges = depth is not None and boundary['depth_jump'] is not None
    head.eval()
    num_classes = len(class_names)
    areas = torch.zeros(4, num_classes, dtype=torch.float64)
    edge_areas = torch.zeros(4, num_classes, dtype=torch.float64)
    band = np.zeros((2, num_classes))
    for start in range(0, len(feats), batch_size):
        pred = _logits(head, feats[start:start + batch_size], labels.shape[-2:]).argmax(1)
        for i, (p, y) in enumerate(zip(pred, labels[start:start + batch_size])):
            areas += torch.stack([a.double() for a in IoUMetric.intersect_and_union(
                p, y, num_classes, ignore_index)])
            band += np.stack(boundary_areas(p, y, num_classes, width, ignore_index))
            if edges:
                near = torch.from_numpy(edge_region(depth[start + i], width,
                                                    boundary['depth_jump']))
                y = torch.where(near, y, torch.full_like(y, ignore_index))
                edge_areas += torch.stack([a.double() for a in IoUMetric.intersect_and_union(
                    p, y, num_classes, ignore_index)])
    iou = _iou_percent(areas)
    with np.errstate(divide='ignore', invalid='ignore'):
        biou = band[0] / band[1] * 100
    metrics = {'mIoU': _miou(iou)}
    fg = foreground_miou(iou, class_names)
    if fg is not None:
        metrics['fg_mIoU'] = fg
    metrics['bIoU'] = _miou(biou)
    if edges:
        metrics['edge_mIoU'] = _miou(_iou_percent(edge_areas))
    metrics.update({f'IoU.{name}': float(v) for name, v in zip(class_names, iou)})
    metrics.update({f'bIoU.{name}': float(v) for name, v in zip(class_names, biou)})
    return metrics


def probe_encoder(encoder: nn.Module, cfg: Config, heads: Sequence[str] = HEADS,
                  epochs: Dict[str, int] = None, lr: Dict[str, float] = None,
                  aspp_channels: int = 64, batch_size: int = 32, label_stride: int = 4,
                  seed: int = 0, train_split: str = 'train', eval_split: str = 'val',
                  class_weight: Optional[str] = 'balanced') -> Dict[str, float]:
    """Train each probe head on ``encoder``'s cached features of ``cfg``'s train split and
    evaluate it on ``eval_split``; returns ``{'<head> <metric>': ...}`` with the metrics of
    :func:`evaluate_head` (``linear mIoU``, ``linear bIoU``, ``aspp IoU.<class>``, ...).

    Args:
        cfg: a segmentation config (datasets, ``model.data_preprocessor``,
            ``model.decode_head``; ``optim_wrapper``: the encoder runs under autocast where it
            trains so; ``test_evaluator``'s ``BoundaryIoUMetric``: the boundary settings; the
            test pipeline's ``LoadDepthFromFile``: the depth of ``edge_mIoU``).
        epochs, lr: per head kind; defaults ``{'linear': 30, 'aspp': 30}`` and
            ``{'linear': 1e-2, 'aspp': 1e-3}``.
        class_weight: 'balanced' (:func:`balanced_class_weights` of the training labels) or
            None (every pixel weighs the same). Defaults to 'balanced'.
    """
    epochs = {'linear': 30, 'aspp': 30, **(epochs or {})}
    lr = {'linear': 1e-2, 'aspp': 1e-3, **(lr or {})}
    unknown = set(heads) - set(HEADS)
    if unknown:
        raise ValueError(f'unknown probe head(s) {sorted(unknown)}; choose from {HEADS}')
    if class_weight not in CLASS_WEIGHTS:
        raise ValueError(f'class_weight must be one of {CLASS_WEIGHTS}, got {class_weight!r}')
    train_set = build_split(cfg, train_split)
    eval_set = build_split(cfg, eval_split, with_depth=True)
    classes = list(train_set.metainfo['classes'])
    preprocessor = dict(cfg.model.data_preprocessor)
    # the encoder computes as the config trains
    dtype, channels_last = forward_precision(cfg.get('optim_wrapper'))
    train_feats, train_labels, _ = extract_features(
        encoder, train_set, preprocessor, flip=True, dtype=dtype, channels_last=channels_last)
    eval_feats, eval_labels, eval_depth = extract_features(
        encoder, eval_set, preprocessor, dtype=dtype, channels_last=channels_last)
    if not torch.isfinite(train_feats).all():
        raise FloatingPointError('the encoder gives NaN/inf features: its weights are broken')
    ignore = cfg.model.decode_head.get('ignore_index', 255)
    weights = None
    if class_weight == 'balanced':
        weights = balanced_class_weights(train_labels, len(classes), ignore)
    results = {}
    for kind in heads:
        torch.manual_seed(seed)
        head = build_head(kind, train_feats.shape[1], len(classes),
                          cfg.model.get('decode_head'), aspp_channels)
        train_head(head, train_feats, train_labels, epochs[kind], batch_size, lr[kind], seed,
                   ignore, label_stride, weights)
        metrics = evaluate_head(head, eval_feats, eval_labels, classes, ignore,
                                depth=eval_depth, boundary=boundary_settings(cfg))
        results.update({f'{kind} {key}': value for key, value in metrics.items()})
    return results
