"""mmseg's IoU metric that also returns the IoU of every class and the foreground mIoU."""
import math
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmseg.evaluation import IoUMetric

from mmpixdepth.registry import SEG_METRICS, register_module


BACKGROUND = 'background'


def foreground_miou(iou: Sequence[float], class_names: Sequence[str],
                    background: str = BACKGROUND) -> Optional[float]:
    """Mean of the per-class ``iou`` over the classes other than ``background`` (NaN classes,
    absent from labels and predictions, left out); None when no class is named
    ``background``. Scenes of small objects leave most pixels to the background, whose IoU
    then lifts the plain mIoU whatever the objects get."""
    names = list(class_names)
    if background not in names:
        return None
    fg = np.asarray([v for name, v in zip(names, iou) if name != background], np.float64)
    return float(np.nanmean(fg)) if not np.isnan(fg).all() else math.nan


@register_module(SEG_METRICS)
class PerClassIoUMetric(IoUMetric):
    """:class:`mmseg.evaluation.IoUMetric` plus ``IoU.<class>`` for every class.

    mmseg's metric prints the per-class table but returns only the means; this one also returns
    each class's IoU (percent, rounded to 2 decimals like mmseg; NaN for a class that is neither
    in the labels nor in the predictions), so it reaches the logs, the visualiser backends,
    ``runner.test()``'s return value and the benchmark tables; and ``fg_mIoU``, the mean IoU
    of the classes other than the one named ``background`` (:func:`foreground_miou`; not
    returned for datasets without such a class). Same arguments as ``IoUMetric``, plus
    ``background``.
    """

    def __init__(self, *args, background: str = BACKGROUND, **kwargs):
        super().__init__(*args, **kwargs)
        self.background = background

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        metrics = super().compute_metrics(results)
        if self.format_only:
            return metrics
        intersect = sum(res[0] for res in results).cpu().numpy().astype(np.float64)
        union = sum(res[1] for res in results).cpu().numpy().astype(np.float64)
        with np.errstate(divide='ignore', invalid='ignore'):
            iou = intersect / union
        classes = self.dataset_meta['classes']
        fg = foreground_miou(iou * 100, classes, self.background)
        if fg is not None:
            metrics['fg_mIoU'] = float(np.round(fg, 2))
        for name, value in zip(classes, iou):
            metrics[f'IoU.{name}'] = float(np.round(value * 100, 2))
        return metrics
