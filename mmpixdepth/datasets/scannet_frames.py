"""ScanNet 2D frames: 20-class semantic segmentation with the sensor depth."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Union

from mmpixdepth.registry import PRETRAIN_DATASETS, SEG_DATASETS, register_module
from .file_lists import has_suffix
from .nyuv2 import NYU40_CLASSES, NYU40_PALETTE
from .rgbd_seg import RGBDSegDataset

#: NYU40 ids of the 20 classes of the ScanNet benchmark, in class order.
SCANNET20_NYU40_IDS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 24, 28, 33, 34, 36, 39)


@register_module(SEG_DATASETS, PRETRAIN_DATASETS)
class ScanNetFramesDataset(RGBDSegDataset):
    """ScanNet frames in the layout of ``scannet_frames_25k``, 20 benchmark classes.

    Layout under ``data_root``, one folder per scene::

        SCENE/color/NNNNNN.jpg   RGB
        SCENE/depth/NNNNNN.png   16-bit, millimetres, 0 = missing, 640x480
        SCENE/label/NNNNNN.png   NYU40 ids (0 unlabelled)

    The label images hold NYU40 ids; ``LoadAnnotations`` maps them through the dataset's
    ``label_map``: the NYU40 ids of the 20 benchmark classes (``SCANNET20_NYU40_IDS``) become
    0..19, the other ids 0..40 become 255 (ignored). Depth is 640x480: colour frames of
    another size (the 1296x968 frames of ScanNet's SensReader) must be resized to the depth
    size beforehand for ``LoadDepthFromFile(invalid_values=(0,))``, whose size check rejects
    the pair otherwise (the frames of ``scannet_frames_25k`` are all 640x480, and
    ``tools/dataset_converters/scannet.py`` resizes those of the .sens files).

    Args:
        data_root (str): The folder of the scene folders.
        scenes (str | Sequence[str], optional): A split file (one scene name per line, e.g.
            ScanNet's ``scannetv2_train.txt``), relative to ``data_root`` or absolute, or the
            scene names. Defaults to None: every folder of ``data_root`` with an image folder.
        data_prefix (dict): ``img_path`` and optionally ``seg_map_path`` (None or absent: no
            annotations), folders inside each scene folder. Defaults to
            ``dict(img_path='color', seg_map_path='label')``.
        depth_prefix (str, optional): Depth folder inside each scene folder, e.g. ``'depth'``.
            Defaults to None (no ``depth_path``).
        img_suffix (str): Matched in any case. Defaults to '.jpg'.
        seg_map_suffix (str): Defaults to '.png'.
        depth_suffix (str): Defaults to '.png'.
        **kwargs: Other arguments of :class:`RGBDSegDataset`, except ``ann_file``.
    """
    METAINFO = dict(
        classes=tuple(NYU40_CLASSES[i - 1] for i in SCANNET20_NYU40_IDS),
        palette=[NYU40_PALETTE[i - 1] for i in SCANNET20_NYU40_IDS])
    data_hint = ('get scannet_frames_25k.zip (ScanNet\'s download script, --preprocessed_frames) '
                 'or the .sens files, and the split files scannetv2_{train,val}.txt of ScanNet\'s '
                 'Tasks/Benchmark folder, then run tools/dataset_converters/scannet.py')
    depth_unit_mm = 1.0  #: a depth file value of 1 is 1 mm

    def __init__(self,
                 data_root: str,
                 scenes: Optional[Union[str, Sequence[str]]] = None,
                 data_prefix: dict = dict(img_path='color', seg_map_path='label'),
                 depth_prefix: Optional[str] = None,
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 depth_suffix: str = '.png',
                 **kwargs):
        self.scenes = scenes
        self.scene_folders = (data_prefix['img_path'], data_prefix.get('seg_map_path'),
                              depth_prefix)
        super().__init__(
            data_root=data_root, data_prefix=dict(), depth_suffix=depth_suffix,
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)

    @classmethod
    def get_label_map(cls, new_classes: Optional[Sequence] = None) -> dict:
        """Map NYU40 ids 0..40 to the class indices (255: ignored), through ``new_classes``
        when it is a subset of the 20 classes."""
        subset = super().get_label_map(new_classes)
        label_map = {}
        for nyu_id in range(len(NYU40_CLASSES) + 1):
            index = SCANNET20_NYU40_IDS.index(nyu_id) if nyu_id in SCANNET20_NYU40_IDS else 255
            label_map[nyu_id] = subset[index] if subset is not None and index != 255 else index
        return label_map

    def _update_palette(self) -> list:
        """The palette of the classes kept (mmseg's rule assumes that label_map is a subset)."""
        classes, palette = self._metainfo['classes'], self._metainfo.get('palette', [])
        if len(palette) == len(classes):
            return palette
        colours = dict(zip(self.METAINFO['classes'], self.METAINFO['palette']))
        return [colours[name] for name in classes]

    def _scene_names(self) -> List[str]:
        if not osp.isdir(self.data_root):
            raise self._error(f'the data root {self.data_root} does not exist')
        if self.scenes is None:
            names = sorted(name for name in os.listdir(self.data_root)
                           if osp.isdir(osp.join(self.data_root, name, self.scene_folders[0])))
            where = f'no scene folder with a {self.scene_folders[0]} folder in {self.data_root}'
        elif isinstance(self.scenes, str):
            split_file = osp.join(self.data_root, self.scenes)
            if not osp.isfile(split_file):
                raise self._error(f'the split file {split_file} does not exist')
            with open(split_file) as file:
                names = [line.strip() for line in file if line.strip()]
            where = f'the split file {split_file} lists no scene'
        else:
            names, where = list(self.scenes), 'scenes is empty'
        if not names:
            raise self._error(where)
        return names

    def load_data_list(self) -> List[dict]:
        """List the frames of every scene; see the class docstring."""
        data_list = []
        for scene in self._scene_names():
            img_dir, seg_dir, depth_dir = (None if folder is None else osp.join(
                self.data_root, scene, folder) for folder in self.scene_folders)
            self._check_dirs(img_dir, seg_dir, depth_dir)
            names = sorted(n for n in os.listdir(img_dir) if has_suffix(n, self.img_suffix))
            if not names:
                raise self._no_image_error(img_dir)
            for name in names:
                info = self._info(osp.join(img_dir, name), img_dir, seg_dir)
                if depth_dir is not None:
                    info['depth_path'] = self._sibling(info['img_path'], img_dir, depth_dir,
                                                       self.depth_suffix)
                data_list.append(info)
        self._check_files(data_list)
        return data_list
