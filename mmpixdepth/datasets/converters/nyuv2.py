"""NYU Depth v2 labelled set (``nyu_depth_v2_labeled.mat``) -> the ``NYUv2SegDataset`` layout.

``nyu_depth_v2_labeled.mat`` is a MATLAB v7.3 file, i.e. HDF5 (read with h5py). MATLAB stores
arrays column-major, so HDF5 sees every array with its axes reversed: the ``H x W x 3 x N``
image array of MATLAB is an ``(N, 3, W, H)`` dataset, the ``H x W x N`` depth and label arrays
are ``(N, W, H)``. Depth is in metres (float32): ``depths`` is in-painted (no holes),
``rawDepths`` is the projected sensor depth with 0 where the sensor gave none. ``labels`` holds
the 894 class ids (0 = unlabelled) of the ``names`` list.

The 894 -> 40 mapping (``mapClass`` of ``classMapping40.mat``, 894 values in 1..40, the
NYU40 classes of Gupta et al.) and the standard split (``trainNdxs``/``testNdxs`` of
``splits.mat``, 795 and 654 one-based frame numbers) are small MATLAB files read with scipy
(v5 and older) or h5py (v7.3).

Output, one file per frame named after its one-based frame number (``0001.png`` ..)::

    OUT/images/{train,test}/NNNN.png    RGB, 8-bit
    OUT/depth/{train,test}/NNNN.png     16-bit millimetres, 0 = missing
    OUT/labels40/{train,test}/NNNN.png  8-bit, 0 unlabelled, 1..40 the NYU40 classes
"""
import contextlib
import os.path as osp
from typing import Dict, Optional

import mmcv
import numpy as np

from mmpixdepth.fileio import write_depth_png16
from mmpixdepth.utils.progress import progress as track
from .depth_units import metres_to_mm

DEPTH_VARIABLES = ('depths', 'rawDepths')
NUM_NYU40_CLASSES = 40


def _import_h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError('reading MATLAB v7.3 files needs h5py: pip install h5py (or '
                          'pip install -e ".[nyuv2]")') from None
    return h5py


def _open_hdf5(h5py, path: str):
    """``h5py.File(path, 'r')``, its failure (a truncated or damaged file) naming the path."""
    try:
        return h5py.File(path, 'r')
    except OSError as error:
        raise ValueError(f'cannot read {path}: {error}; the file is truncated or damaged (an '
                         'interrupted download? compare its size with the original)') from None


def read_mat_variable(path: str, name: str) -> np.ndarray:
    """A numeric variable of a MAT-file, in MATLAB's axis order.

    v7.3 files (HDF5) are read with h5py and transposed back; older ones with
    ``scipy.io.loadmat``. Nothing in the file is executed or unpickled.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file cannot be read, lacks ``name`` (the error lists what it holds) or
            ``name`` is not a numeric array.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'MAT-file not found: {path}')
    h5py = _import_h5py()
    if h5py.is_hdf5(path):
        with _open_hdf5(h5py, path) as mat:
            if not isinstance(mat.get(name), h5py.Dataset):
                held = ', '.join(key for key in mat if not key.startswith('#'))
                raise ValueError(f'{path} has no variable {name!r}; it holds: {held}')
            array = mat[name][()].T
    else:
        from scipy.io import loadmat, whosmat
        try:
            held = [entry[0] for entry in whosmat(path)]
            array = loadmat(path, variable_names=[name]).get(name)
        except Exception as error:
            raise ValueError(f'cannot read {path} as a MAT-file: {error}') from error
        if array is None:
            raise ValueError(f'{path} has no variable {name!r}; it holds: {", ".join(held)}')
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f'variable {name!r} of {path} holds {array.dtype} values; expected '
                         'numbers')
    return array


def _whole_numbers(array: np.ndarray, what: str) -> np.ndarray:
    values = array.ravel()
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        raise ValueError(f'{what} holds values that are not whole numbers')
    return values.astype(np.int64)


def load_class_mapping(path: str, variable: str = 'mapClass',
                       num_classes: Optional[int] = None) -> np.ndarray:
    """Look-up table from the NYUv2 class ids to the NYU40 ids.

    Args:
        path: ``classMapping40.mat`` (its ``variable`` holds one NYU40 id in 1..40 per class
            of the labelled set, in class-id order; 0 is accepted and means unlabelled).
        variable: Defaults to 'mapClass'.
        num_classes: The number of classes of the labelled set (894), checked when given.

    Returns:
        np.ndarray: uint8 ``(num_classes + 1,)``, ``lut[0] = 0`` (unlabelled) and ``lut[i]``
        the NYU40 id of class ``i``.
    """
    mapping = _whole_numbers(read_mat_variable(path, variable),
                             f'the class mapping {variable!r} of {path}')
    if num_classes is not None and mapping.size != num_classes:
        raise ValueError(f'the class mapping {variable!r} of {path} has {mapping.size} entries '
                         f'but the labelled set has {num_classes} classes')
    bad = np.unique(mapping[(mapping < 0) | (mapping > NUM_NYU40_CLASSES)])
    if bad.size:
        raise ValueError(f'the class mapping {variable!r} of {path} holds {bad.tolist()[:10]}, '
                         f'outside the NYU40 ids 0..{NUM_NYU40_CLASSES}')
    return np.concatenate([[0], mapping]).astype(np.uint8)


def load_splits(path: str, num_images: int, train_variable: str = 'trainNdxs',
                test_variable: str = 'testNdxs') -> Dict[str, np.ndarray]:
    """The train and test frames of ``splits.mat`` as sorted zero-based indices.

    The file holds one-based frame numbers; every number must lie in ``1..num_images``, appear
    once, and in one split only.
    """
    splits = {}
    for split, variable in (('train', train_variable), ('test', test_variable)):
        numbers = _whole_numbers(read_mat_variable(path, variable),
                                 f'the split {variable!r} of {path}')
        outside = numbers[(numbers < 1) | (numbers > num_images)]
        if outside.size:
            raise ValueError(f'the split {variable!r} of {path} holds frame numbers '
                             f'{outside.tolist()[:10]} outside 1..{num_images} (one-based)')
        unique, counts = np.unique(numbers, return_counts=True)
        if np.any(counts > 1):
            raise ValueError(f'the split {variable!r} of {path} lists frames '
                             f'{unique[counts > 1].tolist()[:10]} more than once')
        splits[split] = unique - 1
    both = np.intersect1d(splits['train'], splits['test'])
    if both.size:
        raise ValueError(f'{path}: frames {(both + 1).tolist()[:10]} are in both '
                         f'{train_variable!r} and {test_variable!r}')
    return splits


class NYUv2LabeledMat:
    """Frames of ``nyu_depth_v2_labeled.mat``, in image orientation.

    Args:
        path: The MATLAB v7.3 file.
        depth: 'depths' (in-painted) or 'rawDepths' (sensor depth, 0 = missing).

    Attributes:
        num_images, height, width: Frame count and size (1449, 480, 640 for the real file).
        num_classes: Length of the ``names`` list (894), None when the file has no ``names``.
    """

    def __init__(self, path: str, depth: str = 'depths'):
        if depth not in DEPTH_VARIABLES:
            raise ValueError(f'depth must be one of {DEPTH_VARIABLES}, got {depth!r}')
        if not osp.isfile(path):
            raise FileNotFoundError(f'NYUv2 labelled set not found: {path}')
        h5py = _import_h5py()
        if not h5py.is_hdf5(path):
            raise ValueError(f'{path} is not a MATLAB v7.3 (HDF5) file; expected '
                             'nyu_depth_v2_labeled.mat')
        self.path = path
        self.file = _open_hdf5(h5py, path)
        try:
            self._open_datasets(h5py, depth)
        except Exception:
            self.file.close()
            raise

    def _open_datasets(self, h5py, depth: str) -> None:
        missing = [name for name in ('images', 'labels', depth)
                   if not isinstance(self.file.get(name), h5py.Dataset)]
        if missing:
            held = ', '.join(key for key in self.file if not key.startswith('#'))
            raise ValueError(f'{self.path} lacks the dataset(s) {", ".join(missing)} of '
                             f'nyu_depth_v2_labeled.mat; it holds: {held}')
        self.images, self.labels, self.depths = (self.file[name]
                                                 for name in ('images', 'labels', depth))
        if self.images.ndim != 4 or self.images.shape[1] != 3:
            raise ValueError(f'{self.path}: images is {self.images.shape}; expected (N, 3, W, H), '
                             'the HDF5 view of MATLAB\'s H x W x 3 x N')
        self.num_images, _, self.width, self.height = self.images.shape
        for name, dataset in (('labels', self.labels), (depth, self.depths)):
            if dataset.shape != (self.num_images, self.width, self.height):
                raise ValueError(f'{self.path}: {name} is {dataset.shape} but images is '
                                 f'{self.images.shape}; expected ({self.num_images}, '
                                 f'{self.width}, {self.height})')
        names = self.file.get('names')
        self.num_classes = None if names is None else int(np.prod(names.shape))

    def read(self, index: int):
        """Frame ``index`` (zero-based).

        Returns:
            tuple: RGB uint8 ``(H, W, 3)``, depth float32 ``(H, W)`` in metres, class ids
            int64 ``(H, W)`` (0 = unlabelled).
        """
        rgb = self.images[index].transpose(2, 1, 0)
        depth = self.depths[index].T.astype(np.float32)
        labels = self.labels[index].T.astype(np.int64)
        return np.ascontiguousarray(rgb), depth, labels

    def close(self) -> None:
        self.file.close()



def convert_nyuv2(labeled_mat: str, class_mapping: str, splits: str, out_dir: str,
                  depth: str = 'depths', progress: bool = True) -> dict:
    """Write the layout of the module docstring.

    Args:
        labeled_mat: ``nyu_depth_v2_labeled.mat``.
        class_mapping: ``classMapping40.mat`` (``mapClass``: 894 -> 40).
        splits: ``splits.mat`` (``trainNdxs``, ``testNdxs``).
        out_dir: Output root (``data/nyuv2``).
        depth: 'depths' (in-painted) or 'rawDepths' (raw, 0 = missing).
        progress: Show a progress bar.

    Returns:
        dict: per split the frame count, the depth range in mm and the missing-depth fraction
        of the written maps, and the NYU40 ids found.
    """
    with contextlib.closing(NYUv2LabeledMat(labeled_mat, depth)) as mat:
        lut = load_class_mapping(class_mapping, num_classes=mat.num_classes)
        split_indices = load_splits(splits, mat.num_images)
        stats = {split: dict(low=np.inf, high=-np.inf, missing=0, ids=set())
                 for split in split_indices}
        frames = [(split, index) for split, indices in split_indices.items()
                  for index in indices]
        for split, index in track(frames, progress):
            rgb, depth_m, labels = mat.read(index)
            where = f'{labeled_mat} frame {index + 1} ({depth})'
            unknown = np.unique(labels[(labels < 0) | (labels >= lut.size)])
            if unknown.size:
                raise ValueError(f'{labeled_mat} frame {index + 1}: class ids '
                                 f'{unknown.tolist()[:10]} are not in the class mapping '
                                 f'{class_mapping} (ids 0..{lut.size - 1})')
            depth_mm = metres_to_mm(depth_m, where)
            name = f'{index + 1:04d}.png'
            mmcv.imwrite(rgb[..., ::-1], osp.join(out_dir, 'images', split, name))
            write_depth_png16(osp.join(out_dir, 'depth', split, name), depth_mm)
            labels40 = lut[labels]
            mmcv.imwrite(labels40, osp.join(out_dir, 'labels40', split, name))
            valid = depth_mm[depth_mm > 0]
            split_stats = stats[split]
            if valid.size:
                split_stats['low'] = min(split_stats['low'], int(valid.min()))
                split_stats['high'] = max(split_stats['high'], int(valid.max()))
            split_stats['missing'] += depth_mm.size - valid.size
            split_stats['ids'].update(np.unique(labels40).tolist())
        summary = {}
        for split, indices in split_indices.items():
            pixels = max(len(indices) * mat.height * mat.width, 1)
            split_stats = stats[split]
            summary[split] = dict(frames=len(indices),
                                  depth_mm=(split_stats['low'], split_stats['high']),
                                  missing=split_stats['missing'] / pixels,
                                  nyu40_ids=sorted(split_stats['ids']))
    return summary
