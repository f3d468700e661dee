from .weighted_f1 import WeightedF1Metric

__all__ = ['WeightedF1Metric']
