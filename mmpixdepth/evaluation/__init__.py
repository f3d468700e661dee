from .per_class_iou import PerClassIoUMetric
from .weighted_f1 import WeightedF1Metric

__all__ = ['PerClassIoUMetric', 'WeightedF1Metric']
