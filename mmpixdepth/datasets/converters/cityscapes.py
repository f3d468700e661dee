"""Cityscapes with stereo disparity -> the ``CityscapesRGBDDataset`` layout.

The official downloads unzip into one root::

    leftImg8bit/{train,val,test}/CITY/CITY_SEQ_FRAME_leftImg8bit.png   RGB, 2048x1024
    gtFine/{train,val,test}/CITY/CITY_SEQ_FRAME_gtFine_polygons.json   annotations
    disparity/{train,val,test}/CITY/CITY_SEQ_FRAME_disparity.png       16-bit, image size

A disparity pixel ``p`` is invalid when 0, else a disparity of ``(p - 1) / 256`` pixels (depth
= baseline x focal length / disparity, with the ``camera/`` files; PixDepth uses disparity as
it is). Nothing is converted here: :func:`check_split` checks that every image has a 16-bit
single-channel disparity map of its size and reports the disparity range, and
:func:`make_label_train_ids` writes the ``*_gtFine_labelTrainIds.png`` files (19 train ids,
255 ignored) with the converter that ships with mmsegmentation
(``tools/dataset_converters/cityscapes.py``, which needs the ``cityscapesscripts`` package).
"""
import functools
import importlib.util
import os.path as osp

import mmcv
import mmseg
import numpy as np
from mmengine.utils import scandir, track_parallel_progress, track_progress
from PIL import Image, UnidentifiedImageError

from mmpixdepth.fileio import read_depth
from mmpixdepth.utils.listing import first_few
from mmpixdepth.utils.progress import progress as track

IMAGE_SUFFIX = '_leftImg8bit.png'
DISPARITY_SUFFIX = '_disparity.png'
LABEL_SUFFIX = '_gtFine_labelTrainIds.png'
POLYGON_SUFFIX = '_gtFine_polygons.json'
NUM_TRAIN_IDS = 19
IGNORE_INDEX = 255
#: Pillow's modes of 16-bit grey PNG files.
PNG_GREY16 = ('I;16', 'I;16B', 'I')


def png_header(path: str) -> tuple:
    """``(width, height, mode)`` of a PNG file from its header (Pillow's mode: ``'I;16'`` for
    16-bit grey, ``'L'`` 8-bit grey, ``'RGB'``, ...)."""
    try:
        with Image.open(path) as image:
            if image.format != 'PNG':
                raise UnidentifiedImageError
            return image.size + (image.mode, )
    except UnidentifiedImageError:
        raise ValueError(f'{path} is not a PNG file') from None


def decode_disparity(raw: np.ndarray) -> np.ndarray:
    """Raw disparity PNG values -> float32 disparity in pixels, NaN where ``raw == 0``."""
    raw = np.asarray(raw, np.float32)
    return np.where(raw > 0, (raw - 1) / 256, np.nan).astype(np.float32)




def check_split(root: str, split: str, labels: bool = True, progress: bool = True) -> dict:
    """Check the disparity maps (and, with ``labels``, the train-id label images) of a split.

    Raises:
        FileNotFoundError: the image folder is missing or empty, or images lack disparity
            (or label) files; the first 5 are listed with the count.
        ValueError: a disparity map is not a 16-bit grey PNG of its image's size, or a label
            image holds values other than the train ids 0..18 and 255.

    Returns:
        dict: ``images``, ``disparity_px`` (smallest and largest valid disparity, pixels) and
        ``valid`` (fraction of valid disparity pixels).
    """
    img_dir = osp.join(root, 'leftImg8bit', split)
    if not osp.isdir(img_dir):
        raise FileNotFoundError(f'the image folder {img_dir} does not exist')
    names = sorted(name[:-len(IMAGE_SUFFIX)]
                   for name in scandir(img_dir, IMAGE_SUFFIX, recursive=True))
    if not names:
        raise FileNotFoundError(f'no *{IMAGE_SUFFIX} image in {img_dir}')
    folders = [('disparity', DISPARITY_SUFFIX)] + ([('gtFine', LABEL_SUFFIX)] if labels else [])
    for folder, suffix in folders:
        missing = [(osp.join(img_dir, name + IMAGE_SUFFIX), path) for name in names
                   for path in [osp.join(root, folder, split, name + suffix)]
                   if not osp.isfile(path)]
        if missing:
            hint = (' (make them with --labels convert)' if folder == 'gtFine' else
                    ' (unzip disparity_trainvaltest.zip into the root)')
            listed = first_few((f'{a} -> {b}' for a, b in missing), sep='; ')
            raise FileNotFoundError(f'{len(missing)} image(s) of {len(names)} in {img_dir} have no '
                                    f'{folder} file{hint}: {listed}')
    low, high, valid, pixels = np.inf, -np.inf, 0, 0
    for name in track(names, progress):
        image = osp.join(img_dir, name + IMAGE_SUFFIX)
        disparity = osp.join(root, 'disparity', split, name + DISPARITY_SUFFIX)
        width, height = png_header(image)[:2]
        header = png_header(disparity)
        if header[2] not in PNG_GREY16:
            kind = {'L': '8-bit grey', 'RGB': 'colour', 'RGBA': 'colour', 'P': 'palette'}
            raise ValueError(f'{disparity} is a PNG of mode {header[2]} '
                             f'({kind.get(header[2], "not 16-bit grey")}); official disparity '
                             'maps are 16-bit grey')
        if header[:2] != (width, height):
            raise ValueError(f'{disparity} is {header[0]}x{header[1]} but {image} is '
                             f'{width}x{height}')
        values = decode_disparity(read_depth(disparity))
        finite = values[np.isfinite(values)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
        valid += finite.size
        pixels += values.size
        if labels:
            label_path = osp.join(root, 'gtFine', split, name + LABEL_SUFFIX)
            label = mmcv.imread(label_path, flag='unchanged')
            bad = np.unique(label[(label >= NUM_TRAIN_IDS) & (label != IGNORE_INDEX)])
            if label.shape != (height, width) or bad.size:
                raise ValueError(f'{label_path} is {label.shape[1]}x{label.shape[0]} with values '
                                 f'{bad.astype(int).tolist()[:10]} outside the train ids; '
                                 f'expected {width}x{height}, 0..{NUM_TRAIN_IDS - 1} and '
                                 f'{IGNORE_INDEX} (labelIds instead of labelTrainIds?)')
    return dict(images=len(names), disparity_px=(low, high), valid=valid / pixels)


@functools.lru_cache(maxsize=None)
def load_mmseg_converter():
    """mmsegmentation's ``tools/dataset_converters/cityscapes.py`` as a module (it ships in
    the installed package under ``mmseg/.mim``), loaded once per process."""
    path = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools', 'dataset_converters',
                    'cityscapes.py')
    if not osp.isfile(path):
        raise FileNotFoundError(f'mmsegmentation\'s Cityscapes converter is not at {path}; '
                                'reinstall mmsegmentation from its wheel')
    spec = importlib.util.spec_from_file_location('mmseg_cityscapes_converter', path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as error:
        raise ImportError(f'mmsegmentation\'s Cityscapes converter needs cityscapesscripts '
                          f'({error}): pip install cityscapesscripts (or pip install -e '
                          '".[cityscapes]")') from None
    return module


def convert_polygons(path: str) -> None:
    """mmseg's ``convert_json_to_label`` on one ``*_gtFine_polygons.json``: a function of this
    module, so that worker processes can import it (mmseg's converter is no importable module:
    each process loads it itself)."""
    load_mmseg_converter().convert_json_to_label(path)


def make_label_train_ids(root: str, splits=('train', 'val'), nproc: int = 1,
                         progress: bool = True) -> int:
    """Write ``*_gtFine_labelTrainIds.png`` next to every ``*_gtFine_polygons.json`` of the
    splits with mmseg's converter (``nproc`` processes); return how many."""
    load_mmseg_converter()  # its errors (e.g. cityscapesscripts missing) before any work
    convert = convert_polygons
    polygons = [osp.join(root, 'gtFine', split, name) for split in splits
                if osp.isdir(osp.join(root, 'gtFine', split))
                for name in sorted(scandir(osp.join(root, 'gtFine', split), POLYGON_SUFFIX,
                                           recursive=True))]
    if not polygons:
        raise FileNotFoundError(f'no *{POLYGON_SUFFIX} in {osp.join(root, "gtFine")}/'
                                f'{{{",".join(splits)}}} (unzip gtFine_trainvaltest.zip)')
    if nproc > 1:
        track_parallel_progress(convert, polygons, nproc)
    elif progress:
        track_progress(convert, polygons)
    else:
        for path in polygons:
            convert(path)
    return len(polygons)


LABEL_MODES = ('convert', 'check', 'none')


def convert_cityscapes(root: str, splits=('train', 'val'), labels: str = 'convert',
                       nproc: int = 1, progress: bool = True) -> dict:
    """Make the train-id labels, then check every split.

    Args:
        labels: 'convert' makes the label images with mmseg's converter and checks them,
            'check' checks existing ones, 'none' ignores labels (pretraining needs none).

    Returns:
        dict: ``labels_written`` and the :func:`check_split` summary of each split.
    """
    if labels not in LABEL_MODES:
        raise ValueError(f'labels must be one of {LABEL_MODES}, got {labels!r}')
    summary: dict = dict(labels_written=0)
    if labels == 'convert':
        summary['labels_written'] = make_label_train_ids(root, splits, nproc, progress)
    for split in splits:
        summary[split] = check_split(root, split, labels != 'none', progress)
    return summary
