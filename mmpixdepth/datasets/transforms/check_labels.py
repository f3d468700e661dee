"""Refuse label maps with values outside the dataset's classes, naming the file and values."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmpixdepth.registry import SEG_TRANSFORMS, register_module
from mmpixdepth.utils.listing import first_few


@register_module(SEG_TRANSFORMS)
class CheckSegLabels(BaseTransform):
    """Raise ``ValueError`` when ``gt_seg_map`` holds a label outside ``[0, num_classes)`` that
    is not ``ignore_index``: the metrics would skip such pixels without a word, and the loss
    fails with "Target ... is out of bounds" naming no file.

    :class:`~mmpixdepth.datasets.RGBDSegDataset` puts it right after mmseg's
    ``LoadAnnotations`` in its pipeline (after ``label_map`` and ``reduce_zero_label`` apply).
    One pass over the map (its maximum) when every label is a class; the cost is measured in
    the README.

    Required Keys: gt_seg_map, seg_map_path (for the message).

    Args:
        num_classes (int): the number of classes.
        ignore_index (int): the label of ignored pixels. Defaults to 255.
    """

    def __init__(self, num_classes: int, ignore_index: int = 255) -> None:
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f'CheckSegLabels: num_classes must be a positive int, '
                             f'got {num_classes!r}')
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def transform(self, results: dict) -> dict:
        seg = results['gt_seg_map']
        if seg.size == 0 or (seg.min() >= 0 and seg.max() < self.num_classes):
            return results
        bad = ((seg < 0) | (seg >= self.num_classes)) & (seg != self.ignore_index)
        if bad.any():
            listed = first_few(np.unique(seg[bad]).tolist())
            raise ValueError(
                f'label map {results.get("seg_map_path", "(in memory)")} holds the label(s) '
                f'{listed} at {int(bad.sum())} pixels, outside the {self.num_classes} classes '
                f'(0-{self.num_classes - 1}) and not the ignore index {self.ignore_index}; check '
                "the file, the dataset's classes, reduce_zero_label and label_map")
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_classes={self.num_classes}, '
                f'ignore_index={self.ignore_index})')
