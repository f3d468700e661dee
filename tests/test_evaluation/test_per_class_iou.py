"""PerClassIoUMetric: mmseg's IoUMetric plus the IoU of every class, against a numpy count."""
import math

import numpy as np
import pytest
import torch
from mmseg.structures import SegDataSample
from mmengine.structures import PixelData

from mmpixdepth.registry import SEG_METRICS

CLASSES = ('background', 'a', 'b', 'c')


def _sample(pred, label):
    sample = SegDataSample()
    sample.pred_sem_seg = PixelData(data=torch.from_numpy(pred)[None])
    sample.gt_sem_seg = PixelData(data=torch.from_numpy(label)[None])
    return sample.to_dict()


def test_per_class_iou_matches_a_brute_force_count():
    rng = np.random.default_rng(0)
    preds = [rng.integers(0, 3, (6, 7)) for _ in range(3)]  # class 'c' never predicted
    labels = [rng.integers(0, 3, (6, 7)) for _ in range(3)]  # ... nor labelled
    labels[0][0, :] = 255  # ignored pixels
    metric = SEG_METRICS.build(dict(type='PerClassIoUMetric', iou_metrics=['mIoU']))
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, [_sample(p, l) for p, l in zip(preds, labels)])
    result = metric.compute_metrics(metric.results)

    ious = []
    for k, name in enumerate(CLASSES):
        inter = union = 0
        for pred, label in zip(preds, labels):
            for p, l in zip(pred.ravel(), label.ravel()):
                if l == 255:
                    continue
                inter += (p == k) and (l == k)
                union += (p == k) or (l == k)
        iou = inter / union * 100 if union else math.nan
        ious.append(iou)
        if union:
            assert result[f'IoU.{name}'] == pytest.approx(iou, abs=0.006)
        else:
            assert math.isnan(result[f'IoU.{name}'])
    assert result['mIoU'] == pytest.approx(np.nanmean(ious), abs=0.006)
    assert result['fg_mIoU'] == pytest.approx(np.nanmean(ious[1:]), abs=0.006)
    assert {'aAcc', 'mIoU', 'mAcc'} <= set(result)
    metric.dataset_meta = dict(classes=('a', 'b', 'c', 'd'))  # no background class
    assert 'fg_mIoU' not in metric.compute_metrics(metric.results)


def test_seg_configs_use_it(repo_root):
    from mmengine.config import Config
    cfg = Config.fromfile(f'{repo_root}/configs/deeplabv3/deeplabv3_r18_1xb8-20e_synthetic-128x128.py')
    assert [e.type for e in cfg.val_evaluator] == ['PerClassIoUMetric', 'BoundaryIoUMetric']
    assert cfg.test_evaluator == cfg.val_evaluator
