"""mmseg's IoU metric that also returns the IoU of every class."""
from typing import Dict, List

import numpy as np
from mmseg.evaluation import IoUMetric

from mmpixdepth.registry import SEG_METRICS, register_module


@register_module(SEG_METRICS)
class PerClassIoUMetric(IoUMetric):
    """:class:`mmseg.evaluation.IoUMetric` plus ``IoU.<class>`` for every class.

    mmseg's metric prints the per-class table but returns only the means; this one also returns
    each class's IoU (percent, rounded to 2 decimals like mmseg; NaN for a class that is neither
    in the labels nor in the predictions), so it reaches the logs, the visualiser backends,
    ``runner.test()``'s return value and the benchmark tables. Same arguments as ``IoUMetric``.
    """

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        metrics = super().compute_metrics(results)
        if self.format_only:
            return metrics
        intersect = sum(res[0] for res in results).cpu().numpy().astype(np.float64)
        union = sum(res[1] for res in results).cpu().numpy().astype(np.float64)
        with np.errstate(divide='ignore', invalid='ignore'):
            iou = intersect / union
        for name, value in zip(self.dataset_meta['classes'], iou):
            metrics[f'IoU.{name}'] = float(np.round(value * 100, 2))
        return metrics
