"""Frozen-encoder probes: cached features, heads, IoU against a brute-force count."""
import math

import numpy as np
import pytest
import torch
import torch.nn as nn

from mmpixdepth.analysis.frozen_probe import (balanced_class_weights, build_head, build_split,
                                              evaluate_head, extract_features, probe_encoder,
                                              train_head)
from mmpixdepth.evaluation import band_width, boundary_areas, edge_region
from mmpixdepth.models.encoder import RANDOM, load_encoder
from mmpixdepth.utils import load_config

SEG = 'configs/deeplabv3/deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py'


@pytest.fixture
def seg_cfg(tiny_rgbd, repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    return load_config(SEG, {f'{split}_dataloader.dataset.data_root': tiny_rgbd
                             for split in ('train', 'val', 'test')})


def iou_reference(pred, label, num_classes, ignore=255):
    """IoU (%) per class by counting pixels one by one; NaN for a class in neither map."""
    inter, union = [0] * num_classes, [0] * num_classes
    for p, y in zip(pred.flatten().tolist(), label.flatten().tolist()):
        if y == ignore:
            continue
        if p == y:
            inter[y] += 1
            union[y] += 1
        else:
            union[y] += 1
            union[p] += 1
    return [100 * i / u if u else math.nan for i, u in zip(inter, union)]


class FixedLogits(nn.Module):
    """A 'head' returning given logits (for the metric test)."""

    def __init__(self, logits):
        super().__init__()
        self.logits = logits

    def forward(self, feats):
        return self.logits[:len(feats)]


def test_evaluate_head_matches_a_pixel_count():
    gen = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 3, (4, 8, 8), generator=gen)
    labels[0, :2] = 255  # ignored pixels
    logits = torch.randn(4, 4, 8, 8, generator=gen)
    logits[:, 3] = -10  # class 3 never predicted and absent: NaN, left out of the mean
    metrics = evaluate_head(FixedLogits(logits), torch.zeros(4, 1, 8, 8), labels,
                            ['a', 'b', 'c', 'd'])
    expected = iou_reference(logits.argmax(1), labels, 4)
    for name, value in zip('abcd', expected):
        if math.isnan(value):
            assert math.isnan(metrics[f'IoU.{name}'])
        else:
            assert metrics[f'IoU.{name}'] == pytest.approx(value)
    assert metrics['mIoU'] == pytest.approx(np.nanmean(expected))
    assert 'fg_mIoU' not in metrics  # no class named background


def test_evaluate_head_boundary_foreground_and_edge_metrics():
    gen = torch.Generator().manual_seed(2)
    labels = torch.zeros(3, 32, 32, dtype=torch.long)
    labels[:, 8:20, 6:18] = 1
    labels[1, 20:30, 20:30] = 2
    labels[2, :3] = 255
    logits = torch.randn(3, 3, 32, 32, generator=gen)
    logits[:, 1, 9:21, 7:19] += 3  # a shifted, noisy prediction of class 1
    depth = torch.full((3, 32, 32), 4.0)
    depth[:, 8:20, 6:18] = 1.5
    depth[0, 0, 0] = float('nan')
    classes = ['background', 'thing', 'other']
    metrics = evaluate_head(FixedLogits(logits), torch.zeros(3, 1, 32, 32), labels, classes,
                            depth=depth, boundary=dict(width_ratio=0.05))
    pred = logits.argmax(1)
    iou = iou_reference(pred, labels, 3)
    assert metrics['fg_mIoU'] == pytest.approx(np.nanmean(iou[1:]))
    width = band_width((32, 32), 0.05)
    inter, union = np.sum([boundary_areas(p, y, 3, width) for p, y in zip(pred, labels)], 0)
    assert metrics['bIoU'] == pytest.approx(np.mean(100 * inter / union))
    assert metrics['bIoU.thing'] == pytest.approx(100 * inter[1] / union[1])
    edge_labels = labels.clone()
    for i in range(3):
        edge_labels[i][~torch.from_numpy(edge_region(depth[i], width))] = 255
    assert metrics['edge_mIoU'] == pytest.approx(np.nanmean(iou_reference(pred, edge_labels,
                                                                          3)))


def test_balanced_class_weights_equalise_the_classes():
    labels = torch.tensor([[0] * 12 + [1] * 3 + [2] + [255] * 4])
    weights = balanced_class_weights(labels, 4)
    counts = torch.tensor([12., 3., 1., 0.])
    assert torch.allclose(weights, torch.tensor([16 / 36, 16 / 9, 16 / 3, 0.]))
    assert torch.allclose(weights[:3] * counts[:3], torch.full((3, ), 16 / 3))
    with pytest.raises(ValueError, match=r'outside \[0, 2\)'):
        balanced_class_weights(labels, 2)


def test_balanced_weights_make_a_linear_head_find_rare_classes():
    """One feature channel tells a rare class (2 % of the pixels) apart, but only weakly:
    with equal weights the head calls almost every pixel background, balanced it finds most of
    the rare pixels."""
    gen = torch.Generator().manual_seed(3)
    labels = (torch.rand(64, 8, 8, generator=gen) < 0.02).long()
    feats = torch.randn(64, 4, 8, 8, generator=gen)
    feats[:, 0] += 1.5 * labels
    recall = {}
    for name, weight in (('plain', None), ('balanced', balanced_class_weights(labels, 2))):
        torch.manual_seed(0)
        head = build_head('linear', 4, 2)
        train_head(head, feats, labels, 20, batch_size=16, lr=5e-2, class_weight=weight)
        with torch.no_grad():
            pred = head.eval()(feats).argmax(1)
        recall[name] = float((pred[labels == 1] == 1).float().mean())
    assert recall['plain'] < 0.2 and recall['balanced'] > 0.6, recall


def test_features_are_cached_with_flips(seg_cfg):
    encoder = load_encoder(seg_cfg, RANDOM, seed=0)
    dataset = build_split(seg_cfg, 'train')
    prep = dict(seg_cfg.model.data_preprocessor)
    feats, labels, depth = extract_features(encoder, dataset, prep, flip=True, batch_size=3)
    n = len(dataset)
    assert feats.shape == (2 * n, 128, 8, 8) and labels.shape == (2 * n, 64, 64)
    assert torch.equal(labels[n:], labels[:n].flip(-1))
    assert depth is None  # the training split is built without depth
    _, _, depth = extract_features(encoder, build_split(seg_cfg, 'train', with_depth=True),
                                   prep, flip=True, batch_size=3)
    assert depth.shape == labels.shape and torch.isnan(depth).any()  # 0 in the file: invalid
    assert torch.equal(depth[n:].nan_to_num(-1), depth[:n].flip(-1).nan_to_num(-1))
    # the flipped half is the encoder's output on flipped images, not flipped features
    item = dataset[1]
    inputs = (item['inputs'].float()[[2, 1, 0]] - torch.tensor([123.675, 116.28, 103.53])[
        :, None, None]) / torch.tensor([58.395, 57.12, 57.375])[:, None, None]
    with torch.no_grad():
        direct = encoder(inputs.flip(-1)[None])[-1][0]
    assert torch.allclose(feats[n + 1], direct, atol=1e-4)
    assert not torch.allclose(feats[n + 1], feats[1].flip(-1), atol=1e-3)


def test_heads_learn_separable_features():
    """Features that encode the label make both heads reach a perfect score."""
    gen = torch.Generator().manual_seed(1)
    labels = torch.randint(0, 3, (24, 4, 4), generator=gen)
    feats = nn.functional.one_hot(labels, 3).permute(0, 3, 1, 2).float() * 3
    feats = feats + 0.05 * torch.randn(feats.shape, generator=gen)
    for kind, epochs, lr in (('linear', 40, 5e-2), ('aspp', 40, 1e-2)):
        torch.manual_seed(0)
        head = build_head(kind, 3, 3, dict(type='ASPPHead', dilations=(1, 2), dropout_ratio=0),
                          aspp_channels=8)
        train_head(head, feats, labels, epochs, batch_size=8, lr=lr)
        assert evaluate_head(head, feats, labels, ['a', 'b', 'c'])['mIoU'] == 100, kind
    with pytest.raises(ValueError, match='unknown probe head'):
        build_head('mlp', 3, 3)


def test_probe_encoder_end_to_end(seg_cfg):
    encoder = load_encoder(seg_cfg, RANDOM, seed=0)
    first = probe_encoder(encoder, seg_cfg, epochs=dict(linear=2, aspp=1), aspp_channels=8,
                          batch_size=4)
    assert {'linear mIoU', 'aspp mIoU', 'linear IoU.background', 'aspp IoU.cross', 'linear bIoU',
            'aspp fg_mIoU', 'aspp edge_mIoU', 'linear bIoU.disc'} <= set(first)
    assert all(0 <= first[k] <= 100 for k in ('linear mIoU', 'aspp mIoU', 'linear bIoU'))
    again = probe_encoder(encoder, seg_cfg, epochs=dict(linear=2, aspp=1), aspp_channels=8,
                          batch_size=4)
    assert again == pytest.approx(first, nan_ok=True)  # deterministic for a seed
    with pytest.raises(ValueError, match='unknown probe head'):
        probe_encoder(encoder, seg_cfg, heads=['mlp'])
    with pytest.raises(ValueError, match='class_weight must be one of'):
        probe_encoder(encoder, seg_cfg, class_weight='inverse')
