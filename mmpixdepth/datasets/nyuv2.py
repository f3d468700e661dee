"""NYU Depth v2 40-class semantic segmentation with the sensor depth."""
from mmpixdepth.registry import PRETRAIN_DATASETS, SEG_DATASETS, register_module
from .rgbd_seg import RGBDSegDataset

#: The NYU40 classes: label ``i`` (1..40) is ``NYU40_CLASSES[i - 1]``, 0 is unlabelled.
NYU40_CLASSES = (
    'wall', 'floor', 'cabinet', 'bed', 'chair', 'sofa', 'table', 'door', 'window', 'bookshelf',
    'picture', 'counter', 'blinds', 'desk', 'shelves', 'curtain', 'dresser', 'pillow', 'mirror',
    'floor mat', 'clothes', 'ceiling', 'books', 'refrigerator', 'television', 'paper', 'towel',
    'shower curtain', 'box', 'whiteboard', 'person', 'night stand', 'toilet', 'sink', 'lamp',
    'bathtub', 'bag', 'otherstructure', 'otherfurniture', 'otherprop')

#: RGB colours of the NYU40 classes, in the order of ``NYU40_CLASSES`` (ScanNet's palette).
NYU40_PALETTE = [
    [174, 199, 232], [152, 223, 138], [31, 119, 180], [255, 187, 120], [188, 189, 34],
    [140, 86, 75], [255, 152, 150], [214, 39, 40], [197, 176, 213], [148, 103, 189],
    [196, 156, 148], [23, 190, 207], [178, 76, 76], [247, 182, 210], [66, 188, 102],
    [219, 219, 141], [140, 57, 197], [202, 185, 52], [51, 176, 203], [200, 54, 131],
    [92, 193, 61], [78, 71, 183], [172, 114, 82], [255, 127, 14], [91, 163, 138],
    [153, 98, 156], [140, 153, 101], [158, 218, 229], [100, 125, 154], [178, 127, 135],
    [120, 185, 128], [146, 111, 194], [44, 160, 44], [112, 128, 144], [96, 207, 209],
    [227, 119, 194], [213, 92, 176], [94, 106, 211], [82, 84, 163], [100, 85, 144]]


@register_module(SEG_DATASETS, PRETRAIN_DATASETS)
class NYUv2SegDataset(RGBDSegDataset):
    """NYU Depth v2, 40-class segmentation (the 795/654 train/test split of the 1449 labelled
    frames), with the depth of every image.

    Layout under ``data_root``, the same file names in the three folders::

        images/{train,test}/NNNN.png    RGB, 640x480
        depth/{train,test}/NNNN.png     16-bit, millimetres, 0 = missing
        labels40/{train,test}/NNNN.png  0 unlabelled, 1..40 the NYU40 classes

    With ``reduce_zero_label=True`` the labels become 0..39 and unlabelled pixels 255. Load
    the depth with ``LoadDepthFromFile(invalid_values=(0,))`` (``scale=0.001`` for metres).

    Args:
        data_prefix (dict): ``img_path`` and optionally ``seg_map_path``, relative to
            ``data_root``. Defaults to the training split.
        depth_prefix (str, optional): Depth folder, e.g. ``'depth/train'``. Defaults to None
            (no ``depth_path``).
        img_suffix (str): Defaults to '.png'.
        seg_map_suffix (str): Defaults to '.png'.
        depth_suffix (str): Defaults to '.png'.
        reduce_zero_label (bool): Defaults to True.
        **kwargs: Other arguments of :class:`RGBDSegDataset`.
    """
    METAINFO = dict(classes=NYU40_CLASSES, palette=NYU40_PALETTE)
    data_hint = ('convert nyu_depth_v2_labeled.mat, classMapping40.mat and splits.mat with '
                 'tools/dataset_converters/nyuv2.py')
    depth_unit_mm = 1.0  #: a depth file value of 1 is 1 mm

    def __init__(self,
                 data_prefix=dict(img_path='images/train', seg_map_path='labels40/train'),
                 depth_prefix=None,
                 img_suffix='.png',
                 seg_map_suffix='.png',
                 depth_suffix='.png',
                 reduce_zero_label=True,
                 **kwargs):
        super().__init__(
            data_prefix=data_prefix, depth_prefix=depth_prefix, depth_suffix=depth_suffix,
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label, **kwargs)
