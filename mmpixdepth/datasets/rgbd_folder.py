"""Unlabelled image + depth pairs from two parallel folder trees."""
import os.path as osp
from typing import Optional, Sequence

from mmengine.logging import MMLogger
from mmpretrain.datasets import BaseDataset

from mmpixdepth.utils.listing import first_few
from mmpixdepth.registry import PRETRAIN_DATASETS, register_module
from .file_lists import missing_folder, other_files_note, scan_files

IMG_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')


@register_module(PRETRAIN_DATASETS)
class RGBDFolderDataset(BaseDataset):
    """Unlabelled images and their depth maps in two parallel folder trees, for pretraining.

    Every image under ``data_root/img_prefix`` (searched recursively, e.g. ImageNet's class
    folders) is paired with the depth file of the same relative path under
    ``data_root/depth_prefix``, its suffix replaced by ``depth_suffix``::

        data_root/images/a/0001.jpg  ->  data_root/depth/a/0001.png

    Each data info holds ``img_path`` and ``depth_path`` (absent for an image without depth
    when ``allow_missing_depth=True``), sorted by image path.

    Args:
        data_root (str): Root of the two trees.
        img_prefix (str): Image folder relative to ``data_root``. Defaults to 'images'.
        depth_prefix (str): Depth folder relative to ``data_root``. Defaults to 'depth'.
        img_suffixes (Sequence[str]): Image file suffixes, matched case-insensitively.
            Defaults to ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff').
        depth_suffix (str, optional): Suffix of the depth files; None keeps the image's file
            name. Defaults to '.png'.
        allow_missing_depth (bool): Keep images that have no depth file (their info has no
            ``depth_path``, so ``LoadDepthFromFile`` cannot load them: use a pipeline without
            it). When False a missing depth file is an error listing the first 5 and the count.
            Defaults to False.
        pipeline (Sequence): Transforms, e.g. ``LoadImageFromFile``, ``LoadDepthFromFile``,
            ``PixProViews``, ``PackInputs``. Defaults to ().
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`.
    """

    #: Appended to the errors about missing folders and files.
    data_hint = ''

    def __init__(self,
                 data_root: str,
                 img_prefix: str = 'images',
                 depth_prefix: str = 'depth',
                 img_suffixes: Sequence[str] = IMG_SUFFIXES,
                 depth_suffix: Optional[str] = '.png',
                 allow_missing_depth: bool = False,
                 pipeline: Sequence = (),
                 **kwargs):
        if isinstance(img_suffixes, str):
            img_suffixes = (img_suffixes, )
        self.img_suffixes = tuple(s.lower() for s in img_suffixes)
        if not self.img_suffixes:
            raise ValueError('img_suffixes must name at least one suffix, e.g. (".jpg", ".png")')
        self.depth_suffix = depth_suffix
        self.allow_missing_depth = allow_missing_depth
        super().__init__(
            ann_file='',
            data_root=data_root,
            data_prefix=dict(img_path=img_prefix, depth_path=depth_prefix),
            pipeline=pipeline,
            **kwargs)

    def _error(self, message: str, hint: bool = True) -> FileNotFoundError:
        hint = f' ({self.data_hint})' if self.data_hint and hint else ''
        return FileNotFoundError(f'{type(self).__name__}: {message}{hint}.')

    def _depth_name(self, img_name: str) -> str:
        if self.depth_suffix is None:
            return img_name
        return osp.splitext(img_name)[0] + self.depth_suffix

    def load_data_list(self):
        """Pair every image with its depth file; see the class docstring."""
        img_dir = self.data_prefix['img_path']
        depth_dir = self.data_prefix['depth_path']
        if not osp.isdir(img_dir):
            raise self._error(missing_folder(img_dir, 'image'))
        images = scan_files(img_dir, self.img_suffixes)
        if not images:
            note = other_files_note(img_dir)
            raise self._error(f'no image ({"/".join(self.img_suffixes)} in any case, searched '
                              f'recursively) in {img_dir}{note}', hint=not note)
        if not osp.isdir(depth_dir) and not self.allow_missing_depth:
            raise self._error(missing_folder(depth_dir, 'depth'))
        depths = set(scan_files(depth_dir)) if osp.isdir(depth_dir) else set()

        data_list, missing = [], []
        for name in images:
            info = dict(img_path=osp.join(img_dir, name))
            depth_name = self._depth_name(name)
            if depth_name in depths:
                info['depth_path'] = osp.join(depth_dir, depth_name)
            else:
                missing.append((info['img_path'], osp.join(depth_dir, depth_name)))
            data_list.append(info)

        if missing:
            listed = first_few((f'{img} -> {depth}' for img, depth in missing), sep='; ')
            message = f'{len(missing)} image(s) of {len(images)} have no depth file: {listed}'
            if not self.allow_missing_depth:
                raise self._error(message + '; add them, or set allow_missing_depth=True')
            MMLogger.get_current_instance().warning(
                f'{type(self).__name__}: {message}; kept without depth_path')
        return data_list
