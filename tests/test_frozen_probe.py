"""Frozen-encoder probes: cached features, heads, IoU against a brute-force count."""
import math

import numpy as np
import pytest
import torch
import torch.nn as nn

from mmpixdepth.analysis.frozen_probe import (build_head, build_split, evaluate_head,
                                              extract_features, probe_encoder, train_head)
from mmpixdepth.utils import load_config
from mmpixdepth.visualization.similarity import RANDOM, load_encoder

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


def test_features_are_cached_with_flips(seg_cfg):
    encoder = load_encoder(seg_cfg, RANDOM, seed=0)
    dataset = build_split(seg_cfg, 'train')
    prep = dict(seg_cfg.model.data_preprocessor)
    feats, labels = extract_features(encoder, dataset, prep, flip=True, batch_size=3)
    n = len(dataset)
    assert feats.shape == (2 * n, 128, 8, 8) and labels.shape == (2 * n, 64, 64)
    assert torch.equal(labels[n:], labels[:n].flip(-1))
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
    assert {'linear mIoU', 'aspp mIoU', 'linear IoU.background', 'aspp IoU.cross'} <= set(first)
    assert all(0 <= first[k] <= 100 for k in ('linear mIoU', 'aspp mIoU'))
    again = probe_encoder(encoder, seg_cfg, epochs=dict(linear=2, aspp=1), aspp_channels=8,
                          batch_size=4)
    assert again == pytest.approx(first, nan_ok=True)  # deterministic for a seed
    with pytest.raises(ValueError, match='unknown probe head'):
        probe_encoder(encoder, seg_cfg, heads=['mlp'])
