"""The Depth Contrast authors' per-fold NumPy lists -> the ThreeDPMDataset layout, folds kept.

Source layout (one folder per fold)::

    SRC/Fold_<f>/X_raw_{train,val,test}.npy   depth ("raw") file of every sample
    SRC/Fold_<f>/X_ref_{train,val,test}.npy   reflectance file of the same samples, same order
    SRC/Fold_<f>/Y_{train,val,test}.npy       class name of the same samples

Output: ``reflectance/<class>/<id><suffix>`` and ``depth/<class>/<id><suffix>`` (files copied
as they are; ``<id>`` is the reflectance file name without suffix) and
``splits/fold<f>/{train,val,test}.txt`` listing '<class>/<id>' in the source order.
"""
import os
import os.path as osp
import re
import shutil
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmpixdepth.utils.atomic_write import atomic_open
from ..three_dpm import CLASSES, write_split_files

PARTS = ('train', 'val', 'test')
FOLD_DIR = re.compile(r'^Fold_(\d+)$')


def find_folds(src: str) -> Dict[int, str]:
    """``{f: SRC/Fold_<f>}`` of every fold folder of ``src``."""
    if not osp.isdir(src):
        raise FileNotFoundError(f'fold lists folder {src} does not exist')
    folds = {int(m.group(1)): osp.join(src, name) for name in sorted(os.listdir(src))
             if (m := FOLD_DIR.match(name)) and osp.isdir(osp.join(src, name))}
    if not folds:
        raise FileNotFoundError(f'{src} holds no Fold_<f> folder (the lists X_raw_*.npy, '
                                'X_ref_*.npy and Y_*.npy of each fold)')
    return folds


def _load_list(path: str) -> List[str]:
    if not osp.isfile(path):
        raise FileNotFoundError(f'fold list {path} does not exist')
    try:
        values = np.load(path, allow_pickle=False)
    except ValueError as error:  # object arrays: unpickling could run code, so not loaded
        raise ValueError(f'{path} is not a NumPy array of strings ({error}); re-save an object '
                         'array with np.save(path, np.array(values, dtype=str))') from None
    if values.ndim != 1 or values.dtype.kind not in 'US':
        raise ValueError(f'{path} must hold a 1-D array of strings, got {values.dtype} '
                         f'{values.shape}')
    return [str(v.decode() if isinstance(v, bytes) else v) for v in values]


def read_fold(fold_dir: str) -> Dict[str, List[Tuple[str, str, str]]]:
    """``{part: [(depth path, reflectance path, class), ...]}`` of one fold folder."""
    fold = {}
    for part in PARTS:
        paths = {key: osp.join(fold_dir, f'{key}_{part}.npy') for key in ('X_raw', 'X_ref', 'Y')}
        lists = {key: _load_list(path) for key, path in paths.items()}
        sizes = {osp.basename(paths[key]): len(values) for key, values in lists.items()}
        if len(set(sizes.values())) != 1:
            raise ValueError(f'{fold_dir}: the lists of {part} differ in length: {sizes}')
        for i, cls in enumerate(lists['Y']):
            if cls not in CLASSES:
                raise ValueError(f'{paths["Y"]}[{i}]: unknown class {cls!r}; known: '
                                 f'{", ".join(CLASSES)}')
        fold[part] = list(zip(lists['X_raw'], lists['X_ref'], lists['Y']))
    return fold


def _local(path: str, replace_prefix: Optional[Sequence[str]], base: str) -> str:
    """A listed path on this machine: ``replace_prefix=(old, new)`` rewrites its start; a
    relative path is relative to ``base``."""
    if replace_prefix and path.startswith(replace_prefix[0]):
        path = replace_prefix[1] + path[len(replace_prefix[0]):]
    return path if osp.isabs(path) else osp.join(base, path)


def _copy(source: str, target: str) -> None:
    with open(source, 'rb') as src, atomic_open(target) as dst:
        shutil.copyfileobj(src, dst)


def convert_fold_lists(src: str, out_dir: str, replace_prefix: Optional[Sequence[str]] = None,
                       overwrite: bool = False) -> Dict[int, Dict[str, List[str]]]:
    """Copy the samples of every fold of ``src`` into ``out_dir`` and write the fold splits.

    A sample listed in several folds is copied once. Errors name the list file and entry:
    a missing file, an unknown class, lists of different lengths, two different files that
    would get the same '<class>/<id>', a sample listed with two classes.

    Args:
        src (str): Folder of the ``Fold_<f>`` folders.
        out_dir (str): Root of the output layout.
        replace_prefix (tuple[str, str], optional): ``(old, new)`` start of the listed paths,
            e.g. the authors' data root and its place here. Relative paths are relative to
            ``src``. Defaults to None.
        overwrite (bool): Replace split files with other content. Defaults to False.

    Returns:
        dict: ``{f: {'train' | 'val' | 'test': ['<class>/<id>', ...]}}``.
    """
    folds = {f: read_fold(path) for f, path in find_folds(src).items()}
    names, suffixes = {}, set()  # '<class>/<id>' -> (depth, reflectance) source files
    splits = {}
    for f, fold in folds.items():
        splits[f] = {}
        for part, samples in fold.items():
            lines = []
            for i, (raw, ref, cls) in enumerate(samples):
                where = f'{osp.join(src, f"Fold_{f}")}/X_*_{part}.npy[{i}]'
                raw, ref = (_local(p, replace_prefix, src) for p in (raw, ref))
                for path in (raw, ref):
                    if not osp.isfile(path):
                        raise FileNotFoundError(f'{where}: {path} does not exist (set '
                                                'replace_prefix for paths of another machine)')
                sample = f'{cls}/{osp.splitext(osp.basename(ref))[0]}'
                if names.setdefault(sample, (raw, ref, cls)) != (raw, ref, cls):
                    raise ValueError(f'{where}: {raw} and {ref} ({cls}) would be sample '
                                     f'{sample!r}, which is already {names[sample]}')
                suffixes.add((osp.splitext(ref)[1], osp.splitext(raw)[1]))
                lines.append(sample)
            splits[f][part] = lines
    if len(suffixes) != 1:
        raise ValueError(f'the listed files mix suffixes (reflectance, depth): {sorted(suffixes)}'
                         '; ThreeDPMDataset takes one of each')
    ref_suffix, raw_suffix = suffixes.pop()
    for sample, (raw, ref, _) in names.items():
        _copy(ref, osp.join(out_dir, 'reflectance', sample + ref_suffix))
        _copy(raw, osp.join(out_dir, 'depth', sample + raw_suffix))
    for f, parts in splits.items():
        write_split_files(osp.join(out_dir, 'splits', f'fold{f}'), parts, overwrite)
    return splits
