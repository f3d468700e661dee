"""mmseg's segmentation visualiser for test pipelines that load depth for the metrics."""
from mmseg.visualization import SegLocalVisualizer

from mmpixdepth.registry import SEG_VISUALIZERS, register_module


@register_module(SEG_VISUALIZERS)
class RGBDSegLocalVisualizer(SegLocalVisualizer):
    """mmseg's ``SegLocalVisualizer`` that leaves the ground-truth depth out of the drawings.

    The test pipelines load each image's depth as ``gt_depth_map`` for
    ``BoundaryIoUMetric``'s ``edge_mIoU``. mmseg's visualiser would stack that depth under the
    ground truth only, so the ground truth and the prediction would no longer fit side by side
    (``test.py --show-dir`` would fail). Same arguments as ``SegLocalVisualizer``.
    """

    def add_datasample(self, name, image, data_sample=None, *args, **kwargs) -> None:
        if data_sample is not None and 'gt_depth_map' in data_sample:
            data_sample = data_sample.clone()
            del data_sample.gt_depth_map
        super().add_datasample(name, image, data_sample, *args, **kwargs)
