from .boundary_iou import (BoundaryIoUMetric, band_width, boundary_areas, depth_discontinuities,
                           edge_region, inner_boundary, near)
from .per_class_iou import PerClassIoUMetric, foreground_miou
from .weighted_f1 import WeightedF1Metric

__all__ = [
    'BoundaryIoUMetric', 'PerClassIoUMetric', 'WeightedF1Metric', 'band_width', 'boundary_areas',
    'depth_discontinuities', 'edge_region', 'foreground_miou', 'inner_boundary', 'near'
]
