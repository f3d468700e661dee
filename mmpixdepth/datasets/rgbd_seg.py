"""Base class of the segmentation datasets that also give a depth map per image."""
import os.path as osp
from typing import List, Optional

from mmseg.datasets import BaseSegDataset
from mmseg.datasets.transforms import LoadAnnotations

from mmpixdepth.utils.listing import first_few
from mmpixdepth.registry import PRETRAIN_DATASETS, SEG_DATASETS, register_module
from .file_lists import (missing_folder, other_files_note, scan_files,
                         with_suffix_case_on_disk)
from .transforms import CheckSegLabels


@register_module(SEG_DATASETS, PRETRAIN_DATASETS)
class RGBDSegDataset(BaseSegDataset):
    """mmseg's ``BaseSegDataset`` with a depth file per image in a parallel folder.

    The depth file of an image has the image's path relative to the image folder, its
    ``img_suffix`` replaced by ``depth_suffix``::

        data_root/images/train/a/0001.jpg  ->  data_root/depth/train/a/0001.png

    Each data info holds ``img_path``, ``seg_map_path`` (when ``data_prefix`` has a
    ``seg_map_path`` that is not None) and ``depth_path`` (when ``depth_prefix`` is given), for
    ``LoadAnnotations`` and ``LoadDepthFromFile``. Images match ``img_suffix`` in any case
    (``.png`` and ``.PNG``, as in :class:`RGBDFolderDataset`); the annotation and depth file
    names are the image's with ``seg_map_suffix`` / ``depth_suffix`` as given. Missing folders,
    an image folder without images and missing annotation or depth files are errors naming the
    dataset class and the files (the first 5 and the count) with the images they belong to.
    A :class:`~mmpixdepth.datasets.transforms.CheckSegLabels` follows mmseg's
    ``LoadAnnotations`` in the pipeline: a label outside the classes that is not
    ``ignore_index`` is an error naming the file and the value, in every split.

    Args:
        data_prefix (dict): ``img_path`` and optionally ``seg_map_path`` (None or absent: no
            annotations), relative to ``data_root``. Defaults to
            ``dict(img_path='', seg_map_path='')``.
        depth_prefix (str, optional): Depth folder relative to ``data_root``. Defaults to None
            (no ``depth_path``).
        depth_suffix (str): Suffix of the depth files. Defaults to '.png'.
        **kwargs: Other arguments of :class:`mmseg.datasets.BaseSegDataset` (``img_suffix``,
            ``seg_map_suffix``, ``ann_file``, ``reduce_zero_label``, ``metainfo``, ...).
    """

    #: How to get the data, appended to the errors about missing folders and files.
    data_hint = ''

    def __init__(self,
                 data_prefix: dict = dict(img_path='', seg_map_path=''),
                 depth_prefix: Optional[str] = None,
                 depth_suffix: str = '.png',
                 **kwargs):
        data_prefix = {key: value for key, value in data_prefix.items() if value is not None}
        if depth_prefix is not None:
            data_prefix['depth_path'] = depth_prefix
        self.depth_suffix = depth_suffix
        super().__init__(data_prefix=data_prefix, **kwargs)
        self._check_labels_when_loaded()

    def _check_labels_when_loaded(self) -> None:
        """Put a :class:`CheckSegLabels` after each ``LoadAnnotations`` of the pipeline."""
        transforms = self.pipeline.transforms
        for i in reversed(range(len(transforms))):
            following = transforms[i + 1] if i + 1 < len(transforms) else None
            if isinstance(transforms[i], LoadAnnotations) and not isinstance(
                    following, CheckSegLabels):
                transforms.insert(i + 1, CheckSegLabels(len(self.metainfo['classes']),
                                                        self.ignore_index))

    def _error(self, message: str, hint: bool = True) -> FileNotFoundError:
        hint = f' ({self.data_hint})' if self.data_hint and hint else ''
        return FileNotFoundError(f'{type(self).__name__}: {message}{hint}.')

    def _no_image_error(self, img_dir: str) -> FileNotFoundError:
        note = other_files_note(img_dir)
        return self._error(f'no image *{self.img_suffix} (in any case) in {img_dir}{note}',
                           hint=not note)

    def _check_dirs(self, img_dir: str, seg_dir: Optional[str],
                    depth_dir: Optional[str]) -> None:
        """Raise when one of the given folders does not exist."""
        for path, what in ((img_dir, 'image'), (seg_dir, 'annotation'), (depth_dir, 'depth')):
            if path is not None and not osp.isdir(path):
                raise self._error(missing_folder(path, what))

    def _sibling(self, img_path: str, img_dir: str, other_dir: str, suffix: str) -> str:
        """The file of ``other_dir`` with the image's relative name and ``suffix``."""
        stem = osp.relpath(img_path, img_dir)[:-len(self.img_suffix)]
        return osp.join(other_dir, stem + suffix)

    def _info(self, img_path: str, img_dir: str, seg_dir: Optional[str]) -> dict:
        """The data info of an image, as mmseg makes it."""
        info = dict(img_path=img_path, label_map=self.label_map,
                    reduce_zero_label=self.reduce_zero_label, seg_fields=[])
        if seg_dir is not None:
            info['seg_map_path'] = self._sibling(img_path, img_dir, seg_dir, self.seg_map_suffix)
        return info

    def _check_files(self, data_list: List[dict]) -> None:
        """Raise when annotation or depth files of the data infos are missing."""
        for key, what in (('seg_map_path', 'annotation'), ('depth_path', 'depth')):
            missing = [(info['img_path'], info[key]) for info in data_list
                       if key in info and not osp.isfile(info[key])]
            if missing:
                listed = first_few((f'{img} -> {path}' for img, path in missing), sep='; ')
                raise self._error(f'{len(missing)} image(s) of {len(data_list)} have no {what} '
                                  f'file: {listed}')

    def load_data_list(self) -> List[dict]:
        """List the images (mmseg's data infos) and add ``depth_path``; see the class docstring."""
        img_dir = self.data_prefix.get('img_path')
        seg_dir = self.data_prefix.get('seg_map_path')
        depth_dir = self.data_prefix.get('depth_path')
        self._check_dirs(img_dir, seg_dir, depth_dir)
        if self.ann_file and not osp.isdir(self.ann_file):  # image names listed in a file
            data_list = super().load_data_list()
            paths = with_suffix_case_on_disk([i['img_path'] for i in data_list], self.img_suffix)
            for info, path in zip(data_list, paths):
                info['img_path'] = path
        else:
            data_list = [self._info(osp.join(img_dir, name), img_dir, seg_dir)
                         for name in scan_files(img_dir, (self.img_suffix, ))]
        if not data_list:
            raise self._no_image_error(img_dir)
        if depth_dir is not None:
            for info in data_list:
                info['depth_path'] = self._sibling(info['img_path'], img_dir, depth_dir,
                                                   self.depth_suffix)
        self._check_files(data_list)
        return data_list
