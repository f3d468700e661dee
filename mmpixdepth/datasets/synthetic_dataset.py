"""Datasets over the synthetic RGB-D layout written by :func:`generate_synthetic_rgbd`."""
import os.path as osp

from mmpixdepth.registry import PRETRAIN_DATASETS, SEG_DATASETS, register_module
from .rgbd_folder import RGBDFolderDataset
from .rgbd_seg import RGBDSegDataset
from .synthetic import CLASSES, PALETTE

_HINT = 'make the synthetic set with `python tools/generate_synthetic_data.py --out DATA_ROOT`'


@register_module(PRETRAIN_DATASETS)
class SyntheticRGBDDataset(RGBDFolderDataset):
    """Unlabelled RGB-D pairs of one split of the synthetic set, for pretraining.

    Each data info holds ``img_path``, ``depth_path`` and, when the annotation folder exists,
    ``seg_map_path``. Layout under ``data_root``: ``images/{split}/*.png``,
    ``depth/{split}/*.png`` (uint16, mm, 0 = missing), ``annotations/{split}/*.png``.

    Args:
        data_root (str): Root of the synthetic set.
        split (str): ``'train'`` or ``'val'``. Defaults to ``'train'``.
        pipeline (Sequence): Transforms, e.g. ``LoadImageFromFile`` and ``LoadDepthFromFile``.
        data_prefix (dict, optional): Folders ``img_path``, ``depth_path`` and ``seg_map_path``
            relative to ``data_root``. Defaults to the layout above for ``split``.
        img_suffix (str): Image file suffix. Defaults to ``'.png'``.
        depth_suffix (str): Depth file suffix. Defaults to ``'.png'``.
        **kwargs: Other arguments of :class:`RGBDFolderDataset`.
    """
    data_hint = _HINT

    def __init__(self,
                 data_root,
                 split='train',
                 pipeline=(),
                 data_prefix=None,
                 img_suffix='.png',
                 depth_suffix='.png',
                 **kwargs):
        if data_prefix is None:
            data_prefix = dict(
                img_path=f'images/{split}',
                depth_path=f'depth/{split}',
                seg_map_path=f'annotations/{split}')
        self.img_suffix = img_suffix
        self.seg_map_prefix = data_prefix.get('seg_map_path')
        super().__init__(
            data_root=data_root, img_prefix=data_prefix['img_path'],
            depth_prefix=data_prefix['depth_path'], img_suffixes=(img_suffix, ),
            depth_suffix=depth_suffix, pipeline=pipeline, **kwargs)

    def load_data_list(self):
        data_list = super().load_data_list()
        if self.seg_map_prefix:
            seg_dir = osp.join(self.data_root, self.seg_map_prefix)
            if osp.isdir(seg_dir):
                for info in data_list:
                    stem = osp.splitext(osp.basename(info['img_path']))[0]
                    info['seg_map_path'] = osp.join(seg_dir, stem + '.png')
        return data_list


@register_module(SEG_DATASETS)
class SyntheticRGBDSegDataset(RGBDSegDataset):
    """Semantic segmentation on the synthetic set (background + 5 shape classes).

    Args:
        data_prefix (dict): ``img_path`` and ``seg_map_path`` relative to ``data_root``.
            Defaults to the training split.
        depth_prefix (str, optional): Depth folder relative to ``data_root``; when given, every
            data info also holds ``depth_path`` (uint16 PNG, mm, 0 = missing), e.g.
            ``'depth/train'`` next to the default ``data_prefix``. Defaults to None (no depth).
        img_suffix (str): Defaults to ``'.png'``.
        seg_map_suffix (str): Defaults to ``'.png'``.
        depth_suffix (str): Defaults to ``'.png'``.
        reduce_zero_label (bool): Defaults to False (label 0 is the background class).
        **kwargs: Other arguments of :class:`RGBDSegDataset`.
    """
    METAINFO = dict(classes=CLASSES, palette=PALETTE)
    data_hint = _HINT

    def __init__(self,
                 data_prefix=dict(img_path='images/train', seg_map_path='annotations/train'),
                 depth_prefix=None,
                 img_suffix='.png',
                 seg_map_suffix='.png',
                 depth_suffix='.png',
                 reduce_zero_label=False,
                 **kwargs):
        super().__init__(
            data_prefix=data_prefix, depth_prefix=depth_prefix, depth_suffix=depth_suffix,
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label, **kwargs)
