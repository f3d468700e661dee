"""Cityscapes semantic segmentation with the stereo disparity maps as depth."""
from mmseg.datasets import CityscapesDataset

from mmpixdepth.registry import PRETRAIN_DATASETS, SEG_DATASETS, register_module
from .rgbd_seg import RGBDSegDataset


@register_module(SEG_DATASETS, PRETRAIN_DATASETS)
class CityscapesRGBDDataset(RGBDSegDataset, CityscapesDataset):
    """mmseg's ``CityscapesDataset`` (19 classes) with the disparity map of every image.

    Layout under ``data_root``::

        leftImg8bit/{train,val,test}/CITY/*_leftImg8bit.png        RGB, 2048x1024
        gtFine/{train,val}/CITY/*_gtFine_labelTrainIds.png          train ids, 255 ignored
        disparity/{train,val,test}/CITY/*_disparity.png             16-bit, 0 = invalid

    A disparity pixel ``p > 0`` is ``(p - 1) / 256`` pixels of disparity. ``LoadDepthFromFile``
    (``invalid_values=(0,)``) scales but does not shift: the offset of 1 vanishes in its
    default 'minmax' normalisation; with ``normalize='none'`` and ``scale=1 / 256`` it stays
    as 1/256 pixel. Disparity is inverse depth: large values are near.

    Args:
        data_prefix (dict): ``img_path`` and optionally ``seg_map_path``, relative to
            ``data_root``. Defaults to the training split.
        depth_prefix (str, optional): Disparity folder, e.g. ``'disparity/train'``. Defaults to
            None (no ``depth_path``).
        depth_suffix (str): Defaults to '_disparity.png'.
        **kwargs: Other arguments of :class:`mmseg.datasets.CityscapesDataset`.
    """
    data_hint = ('download leftImg8bit_trainvaltest.zip, gtFine_trainvaltest.zip and '
                 'disparity_trainvaltest.zip from https://www.cityscapes-dataset.com and make the '
                 '*_labelTrainIds.png files with mmseg\'s tools/dataset_converters/cityscapes.py')

    def __init__(self,
                 data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
                 depth_prefix=None,
                 depth_suffix='_disparity.png',
                 **kwargs):
        super().__init__(
            data_prefix=data_prefix, depth_prefix=depth_prefix, depth_suffix=depth_suffix,
            **kwargs)
