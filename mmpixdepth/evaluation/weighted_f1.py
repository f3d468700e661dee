"""Support-weighted F1 (and per-class F1) for single-label classification."""
from typing import Dict, List

import torch
from mmpretrain.evaluation import SingleLabelMetric

from mmpixdepth.registry import PRETRAIN_METRICS, register_module


@register_module(PRETRAIN_METRICS)
class WeightedF1Metric(SingleLabelMetric):
    """F1 score averaged over classes with weights proportional to their support.

    The per-class precision, recall and F1 come from mmpretrain's
    :meth:`SingleLabelMetric.calculate` (``average=None``, top-1 prediction, no score
    threshold); this metric adds their support-weighted mean (scikit-learn's
    ``average='weighted'``). Values are in percent, like mmpretrain's metrics.

    Output keys (after the prefix, 'single-label' by default): ``f1-score_weighted``,
    ``precision_weighted``, ``recall_weighted``, and ``f1-score_<class>`` for each class
    (class names from the dataset's metainfo, else indices). A class absent from the labels
    has weight 0.

    Args:
        prefix (str, optional): Key prefix. Defaults to None ('single-label').
        collect_device (str): Defaults to 'cpu'.
    """

    def __init__(self, collect_device: str = 'cpu', prefix=None) -> None:
        super().__init__(thrs=None, items=('precision', 'recall', 'f1-score', 'support'),
                         average=None, collect_device=collect_device, prefix=prefix)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        target = torch.cat([res['gt_label'] for res in results])
        if 'pred_score' in results[0]:
            pred = torch.stack([res['pred_score'] for res in results])
            precision, recall, f1, support = self.calculate(pred, target, thrs=(None, ),
                                                            average=None)[0]
        else:
            pred = torch.cat([res['pred_label'] for res in results])
            precision, recall, f1, support = self.calculate(
                pred, target, average=None, num_classes=results[0]['num_classes'])
        weights = support.float() / support.sum().clamp(min=1)
        metrics = {f'{name}_weighted': float((values * weights).sum())
                   for name, values in (('precision', precision), ('recall', recall),
                                        ('f1-score', f1))}
        classes = (self.dataset_meta or {}).get('classes') or range(len(f1))
        metrics.update({f'f1-score_{name}': float(value) for name, value in zip(classes, f1)})
        return metrics
