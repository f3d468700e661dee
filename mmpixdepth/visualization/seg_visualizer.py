"""mmseg's segmentation visualiser with labelled halves and a class key, for test pipelines that
load depth for the metrics."""
import math

import cv2
import numpy as np
from mmseg.visualization import SegLocalVisualizer

from mmpixdepth.registry import SEG_VISUALIZERS, register_module
from .drawing import class_key, stacked, titled

MIN_HALF_PX = 256  #: narrower halves are enlarged (nearest, whole factor) to at least this
IGNORED_KEY_COLOR = (0, 0, 0)  #: mmseg leaves label values without a class uncoloured (dark)


@register_module(SEG_VISUALIZERS)
class RGBDSegLocalVisualizer(SegLocalVisualizer):
    """mmseg's ``SegLocalVisualizer`` that names its halves, keys the class colours, and leaves
    the ground-truth depth out of the drawings.

    mmseg draws the ground truth (left) and the prediction (right) side by side. Here each half
    gets a title strip, ``ground truth`` or ``prediction``, and under it a key of the classes
    present in that half (palette colour and full name; ``not a class`` for label values
    without one, such as the ignored 255). Halves narrower than :data:`MIN_HALF_PX` are
    enlarged by a whole factor (nearest) first, so that titles and names stay legible. The
    keys of both halves are padded to the same height, so the halves still fit side by side.

    The test pipelines load each image's depth as ``gt_depth_map`` for ``BoundaryIoUMetric``'s
    ``edge_mIoU``. mmseg's visualiser would stack that depth under the ground truth only, so
    the halves would no longer fit side by side (``test.py --show-dir`` would fail).
    Same arguments as ``SegLocalVisualizer``.
    """

    def __init__(self, name: str = 'visualizer', *args, **kwargs):
        super().__init__(name, *args, **kwargs)
        self._frames = {}  # id of a drawn PixelData -> (title, key strip), in add_datasample

    def add_datasample(self, name, image, data_sample=None, draw_gt=True, draw_pred=True,
                       *args, **kwargs) -> None:
        if data_sample is not None and 'gt_depth_map' in data_sample:
            data_sample = data_sample.clone()
            del data_sample.gt_depth_map
        halves = []
        if data_sample is not None:
            halves = [(data_sample.get(key), title) for key, title, drawn in (
                ('gt_sem_seg', 'ground truth', draw_gt),
                ('pred_sem_seg', 'prediction', draw_pred)) if drawn and key in data_sample]
        width = image.shape[1] * self._enlargement(image.shape[1])
        keys = [class_key(self._key_entries(sem_seg), width) for sem_seg, _ in halves]
        height = max((key.shape[0] for key in keys), default=0)
        self._frames = {
            id(sem_seg): (title, np.pad(key, ((0, height - key.shape[0]), (0, 0), (0, 0))))
            for (sem_seg, title), key in zip(halves, keys)}
        try:
            super().add_datasample(name, image, data_sample, draw_gt, draw_pred, *args,
                                   **kwargs)
        finally:
            self._frames = {}

    def _draw_sem_seg(self, image, sem_seg, classes, palette, with_labels=True) -> np.ndarray:
        """mmseg's drawing of one half (RGB ``(H, W, 3)``), enlarged, under its title and over
        its class key when :meth:`add_datasample` draws it."""
        drawn = super()._draw_sem_seg(image, sem_seg, classes, palette, with_labels)
        if id(sem_seg) not in self._frames:
            return drawn
        title, key = self._frames[id(sem_seg)]
        factor = self._enlargement(drawn.shape[1])
        drawn = cv2.resize(drawn, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
        drawn = stacked([titled(drawn, [title]), key])
        self.set_image(drawn)
        return drawn

    @staticmethod
    def _enlargement(width: int) -> int:
        return max(1, math.ceil(MIN_HALF_PX / max(width, 1)))

    def _key_entries(self, sem_seg):
        """``(RGB colour, name)`` of each label value in ``sem_seg``, in class order."""
        classes, palette = self.dataset_meta['classes'], self.dataset_meta['palette']
        values = np.unique(np.asarray(sem_seg.cpu().data))
        return [(tuple(int(c) for c in palette[v]), classes[v]) if v < len(classes) else
                (IGNORED_KEY_COLOR, f'{v}: not a class') for v in values.tolist()]
