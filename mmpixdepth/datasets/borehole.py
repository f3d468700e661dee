"""Breakout segmentation on unwrapped ultrasonic borehole images, with transit time as depth."""
from mmpixdepth.registry import PRETRAIN_DATASETS, SEG_DATASETS, register_module
from .rgbd_seg import RGBDSegDataset


@register_module(SEG_DATASETS, PRETRAIN_DATASETS)
class BoreholeDataset(RGBDSegDataset):
    """Unwrapped ultrasonic borehole images (rows: depth along the hole, columns: azimuth).

    Layout under ``data_root``, the same file names in the three folders::

        amplitude/{train,val}/NAME.png     amplitude, 8- or 16-bit grey PNG
        transit_time/{train,val}/NAME.tif  transit time, the depth proxy: float32 TIFF or
                                           16-bit PNG (``depth_suffix='.png'``), 0 = missing,
                                           the amplitude image's size
        breakout/{train,val}/NAME.png      0 background, 1 breakout, 255 ignored

    Load the amplitude image with ``LoadImageFromFile(color_type='color')`` (3 equal 8-bit
    channels) and the transit time with ``LoadDepthFromFile(invalid_values=(0,))``.
    Unlabelled images (pretraining) leave ``seg_map_path`` out of ``data_prefix`` (or set it to
    None): the data infos then have no ``seg_map_path``.

    Args:
        data_prefix (dict): ``img_path`` and optionally ``seg_map_path``, relative to
            ``data_root``. Defaults to the training split.
        depth_prefix (str, optional): Transit-time folder, e.g. ``'transit_time/train'``.
            Defaults to None (no ``depth_path``).
        img_suffix (str): Defaults to '.png'.
        seg_map_suffix (str): Defaults to '.png'.
        depth_suffix (str): Defaults to '.tif'.
        **kwargs: Other arguments of :class:`RGBDSegDataset`.
    """
    METAINFO = dict(classes=('background', 'breakout'), palette=[[0, 0, 0], [255, 0, 0]])
    data_hint = ('expected data_root/{amplitude,transit_time,breakout}/SPLIT/NAME, see the '
                 'BoreholeDataset docstring')

    def __init__(self,
                 data_prefix=dict(img_path='amplitude/train', seg_map_path='breakout/train'),
                 depth_prefix=None,
                 img_suffix='.png',
                 seg_map_suffix='.png',
                 depth_suffix='.tif',
                 **kwargs):
        super().__init__(
            data_prefix=data_prefix, depth_prefix=depth_prefix, depth_suffix=depth_suffix,
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)
