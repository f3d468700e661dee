"""3DPM material samples: a reflectance image, the pixel-aligned depth map and a class."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.logging import print_log
from mmpretrain.datasets import BaseDataset

from mmpixdepth.utils.listing import first_few
from mmpixdepth.registry import PRETRAIN_DATASETS, register_module
from mmpixdepth.utils.atomic_write import write_atomic
from .file_lists import other_files_note, scan_files, with_suffix_case_on_disk
from .splits import stratified_fraction, stratified_kfold, stratified_split

CLASSES = ('Mixed1', 'Aggl', 'Mixed2', 'Ore1', 'Ore2', 'Ore3', 'Cylindrical')


@register_module(PRETRAIN_DATASETS)
class ThreeDPMDataset(BaseDataset):
    """Reflectance images and depth maps of the 3DPM sensor, with material classes.

    Layout (``<id>`` may hold sub-folders; the depth suffix is any format of
    ``LoadDepthFromFile``)::

        data_root/reflectance/<class>/<id>.png     reflectance, single channel
        data_root/depth/<class>/<id>.png           depth ("raw"), pixel-aligned
        data_root/splits/{train,val,test}.txt      optional: one '<class>/<id>' per line

    ``ann_file`` (a split file) selects samples; without it every reflectance image under
    ``reflectance/`` is a sample. Each data info holds ``img_path`` (reflectance),
    ``depth_path`` and ``gt_label``. The pipeline decides the use: two views for Depth Contrast
    pretraining, or one merged (depth, reflectance, depth) image for classification (see
    ``mmpixdepth/datasets/transforms/depth_contrast.py``).

    ``label_fraction`` keeps a class-stratified, seeded fraction of the samples (at least one
    per class; :func:`stratified_fraction`), and ``label_fraction_complement=True`` the other
    samples instead: the two halves of one split (fraction 0.5) are disjoint.

    Args:
        data_root (str): Root of the layout.
        ann_file (str): Split file relative to ``data_root``; '' for every sample.
            Defaults to ''.
        reflectance_prefix (str): Defaults to 'reflectance'.
        depth_prefix (str): Defaults to 'depth'.
        img_suffix (str): Suffix of the reflectance images, matched in any case. Defaults to
            '.png'.
        depth_suffix (str): Suffix of the depth maps. Defaults to '.png'.
        label_fraction (float, optional): Fraction in (0, 1] of the samples kept. Defaults to
            None (all).
        label_fraction_seed (int): Defaults to 0.
        label_fraction_complement (bool): Keep the samples the fraction leaves out.
            Defaults to False.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset` (``pipeline``,
            ``test_mode``, ``classes``, ...).
    """
    METAINFO = dict(classes=CLASSES)

    def __init__(self,
                 data_root: str,
                 ann_file: str = '',
                 reflectance_prefix: str = 'reflectance',
                 depth_prefix: str = 'depth',
                 img_suffix: str = '.png',
                 depth_suffix: str = '.png',
                 label_fraction: Optional[float] = None,
                 label_fraction_seed: int = 0,
                 label_fraction_complement: bool = False,
                 **kwargs):
        if label_fraction is not None and not 0 < label_fraction <= 1:
            raise ValueError(f'label_fraction must be in (0, 1] or None, got {label_fraction!r}')
        if label_fraction_complement and label_fraction is None:
            raise ValueError('label_fraction_complement=True needs a label_fraction')
        self.img_suffix = img_suffix
        self.depth_suffix = depth_suffix
        self.label_fraction = label_fraction
        self.label_fraction_seed = label_fraction_seed
        self.label_fraction_complement = label_fraction_complement
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=dict(img_path=reflectance_prefix, depth_path=depth_prefix),
            **kwargs)

    def _label(self, sample: str, where: str) -> int:
        name = sample.split('/')[0]
        if '/' not in sample or name not in self.class_to_idx:
            raise ValueError(
                f'{type(self).__name__}: unknown class {name!r} of sample {sample!r} ({where}); '
                f'samples are "<class>/<id>" with a class among {", ".join(self.CLASSES)}')
        return self.class_to_idx[name]

    def _samples(self) -> List[str]:
        """'<class>/<id>' of every sample, from the split file or the reflectance folder."""
        refl_dir = self.data_prefix['img_path']
        if not osp.isdir(refl_dir):
            raise FileNotFoundError(f'{type(self).__name__}: the reflectance folder {refl_dir} '
                                    'does not exist')
        if not self.ann_file:
            names = scan_files(refl_dir, (self.img_suffix, ))
            return [name[:-len(self.img_suffix)] for name in names]
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'{type(self).__name__}: split file {self.ann_file} does '
                                    'not exist (write splits with '
                                    'tools/dataset_converters/make_3dpm_splits.py)')
        with open(self.ann_file) as f:
            lines = [line.strip() for line in f]
        return [line for line in lines if line]

    def load_data_list(self):
        """Pair every reflectance image with its depth map; see the class docstring."""
        refl_dir, depth_dir = self.data_prefix['img_path'], self.data_prefix['depth_path']
        where = f'split file {self.ann_file}' if self.ann_file else refl_dir
        data_list, missing = [], []
        samples = self._samples()
        images = with_suffix_case_on_disk(
            [osp.join(refl_dir, sample + self.img_suffix) for sample in samples], self.img_suffix)
        for sample, image in zip(samples, images):
            info = dict(img_path=image,
                        depth_path=osp.join(depth_dir, sample + self.depth_suffix),
                        gt_label=self._label(sample, where))
            if self.ann_file and not osp.isfile(info['img_path']):
                raise FileNotFoundError(f'{type(self).__name__}: sample {sample!r} of {where} '
                                        f'has no reflectance image {info["img_path"]}')
            if not osp.isfile(info['depth_path']):
                missing.append(info)
            data_list.append(info)
        if not data_list:
            note = '' if self.ann_file else other_files_note(refl_dir)
            raise FileNotFoundError(f'{type(self).__name__}: no sample in {where} (reflectance '
                                    f'images "<class>/<id>{self.img_suffix}" in any case){note}')
        if missing:
            listed = first_few((f'reflectance image {info["img_path"]} has no depth map '
                                f'{info["depth_path"]}' for info in missing), sep='; ')
            raise FileNotFoundError(f'{type(self).__name__}: {len(missing)} of {len(data_list)} '
                                    f'samples lack depth: {listed}')
        if self.label_fraction is not None:
            kept, rest = stratified_fraction([info['gt_label'] for info in data_list],
                                             self.label_fraction, self.label_fraction_seed)
            chosen = rest if self.label_fraction_complement else kept
            print_log(f'{type(self).__name__}: {len(chosen)} of {len(data_list)} samples of '
                      f'{where} (label_fraction={self.label_fraction}, '
                      f'complement={self.label_fraction_complement}, '
                      f'seed={self.label_fraction_seed})', logger='current')
            data_list = [data_list[i] for i in chosen]
        return data_list


def _samples_and_labels(data_root: str, **dataset_kwargs):
    """'<class>/<id>' and class index of every sample of a layout, listed and checked by
    :class:`ThreeDPMDataset`."""
    dataset = ThreeDPMDataset(data_root, **dataset_kwargs)
    refl_dir = dataset.data_prefix['img_path']
    samples = [osp.relpath(dataset.get_data_info(i)['img_path'], refl_dir)
               [:-len(dataset.img_suffix)] for i in range(len(dataset))]
    return samples, dataset.get_gt_labels()


def write_split_files(folder: str, splits: Dict[str, List[str]], overwrite: bool = True) -> None:
    """Write ``folder/<name>.txt`` with one '<class>/<id>' per line for each split, atomically.

    With ``overwrite=False`` a file with other content is an error (identical files are fine).
    """
    for name, lines in splits.items():
        path = osp.join(folder, f'{name}.txt')
        text = ''.join(line + '\n' for line in lines)
        if osp.isfile(path) and not overwrite:
            with open(path) as f:
                if f.read() != text:
                    raise FileExistsError(f'{path} exists with another split; remove it or '
                                          'allow overwriting')
        write_atomic(path, text.encode())


def write_3dpm_splits(data_root: str,
                      ratios: Sequence[float] = (0.6, 0.2, 0.2),
                      names: Sequence[str] = ('train', 'val', 'test'),
                      seed: int = 0,
                      out_dir: str = 'splits',
                      overwrite: bool = True,
                      **dataset_kwargs) -> Dict[str, List[str]]:
    """Write class-stratified split files of every sample of a 3DPM layout.

    The samples are listed (and checked) by :class:`ThreeDPMDataset`, split by
    :func:`stratified_split` and written to ``data_root/out_dir/<name>.txt``, one
    '<class>/<id>' per line in sorted order. The result depends only on the samples and the
    seed.

    Args:
        data_root (str): Root of the layout.
        ratios (Sequence[float]): Defaults to (0.6, 0.2, 0.2).
        names (Sequence[str]): File names (without .txt) of the parts.
            Defaults to ('train', 'val', 'test').
        seed (int): Defaults to 0.
        out_dir (str): Folder of the split files, relative to ``data_root``.
            Defaults to 'splits'.
        overwrite (bool): Replace split files with other content; when False such a file is
            an error (identical files are fine). Defaults to True.
        **dataset_kwargs: ``reflectance_prefix``, ``depth_prefix``, ``img_suffix``,
            ``depth_suffix`` of :class:`ThreeDPMDataset`.

    Returns:
        dict: ``{name: ['<class>/<id>', ...]}``.
    """
    if len(names) != len(ratios):
        raise ValueError(f'{len(names)} names {list(names)} for {len(ratios)} ratios')
    samples, labels = _samples_and_labels(data_root, **dataset_kwargs)
    parts = stratified_split(labels, ratios, seed)
    splits = {name: [samples[i] for i in part] for name, part in zip(names, parts)}
    write_split_files(osp.join(data_root, out_dir), splits, overwrite)
    return splits


def write_3dpm_folds(data_root: str,
                     num_folds: int = 5,
                     seed: int = 0,
                     out_dir: str = 'splits',
                     overwrite: bool = True,
                     **dataset_kwargs) -> List[Dict[str, List[str]]]:
    """Write class-stratified k-fold splits: ``data_root/out_dir/fold<f>/{train,val,test}.txt``.

    Fold f tests on part f of :func:`stratified_kfold`, validates on part ``(f + 1) % k`` and
    trains on the rest (60/20/20 for k = 5). Other arguments as :func:`write_3dpm_splits`.

    Returns:
        list[dict]: Per fold, ``{'train' | 'val' | 'test': ['<class>/<id>', ...]}``.
    """
    samples, labels = _samples_and_labels(data_root, **dataset_kwargs)
    folds = []
    for fold, parts in enumerate(stratified_kfold(labels, num_folds, seed)):
        splits = {name: [samples[i] for i in part] for name, part in parts.items()}
        write_split_files(osp.join(data_root, out_dir, f'fold{fold}'), splits, overwrite)
        folds.append(splits)
    return folds
