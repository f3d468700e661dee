"""Which images a depth-generation run processes, how they are read and where outputs go.

Images are found recursively under an image folder; ``IMAGE_DIR/a/b.jpg`` gets the output
``OUT_DIR/a/b.png``. The list is sorted by relative path, so every process and machine sees
the same order and ``--shard i/n`` (every n-th file starting at i) splits it deterministically.
"""
import os
import os.path as osp
from collections import defaultdict

import cv2
import numpy as np

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def list_images(image_dir, exclude_dir=None):
    """Relative paths of the images under ``image_dir``, sorted.

    Args:
        image_dir (str): Folder searched recursively (symlinked files are listed, symlinked
            folders are not entered).
        exclude_dir (str, optional): A folder whose contents are never listed, e.g. the output
            folder when it lies inside ``image_dir``. Defaults to None.

    Returns:
        list[str]: '/'-separated paths relative to ``image_dir`` of the files whose suffix is
        one of :data:`IMAGE_SUFFIXES` (case-insensitive).
    """
    if not osp.isdir(image_dir):
        raise NotADirectoryError(f'image folder not found: {image_dir}')
    exclude = None if exclude_dir is None else osp.realpath(exclude_dir)
    found = []
    # os.walk rather than mmengine's scandir: the output folder must be skipped, and symlinked
    # folders are not entered (scandir enters them, with no guard against loops)
    for folder, subfolders, files in os.walk(image_dir):
        subfolders[:] = [d for d in subfolders
                         if osp.realpath(osp.join(folder, d)) != exclude]
        rel_folder = osp.relpath(folder, image_dir)
        for name in files:
            if osp.splitext(name)[1].lower() in IMAGE_SUFFIXES:
                rel = name if rel_folder == '.' else osp.join(rel_folder, name)
                found.append(rel.replace(os.sep, '/'))
    return sorted(found)


def output_name(rel_path):
    """Relative output path of an image: suffix replaced by '.png' (``a/b.jpg`` -> ``a/b.png``)."""
    return osp.splitext(rel_path)[0] + '.png'


def check_unique_outputs(rel_paths):
    """Raise ValueError when two images map to the same output (``a/b.jpg`` and ``a/b.png``)."""
    by_output = defaultdict(list)
    for rel in rel_paths:
        by_output[output_name(rel)].append(rel)
    clashes = [names for names in by_output.values() if len(names) > 1]
    if clashes:
        listed = '; '.join(' and '.join(names) for names in clashes[:10])
        more = f' (and {len(clashes) - 10} more)' if len(clashes) > 10 else ''
        raise ValueError(f'{len(clashes)} output file(s) would be written by several images, '
                         f'which differ only in suffix: {listed}{more}. Rename or move one of '
                         'each, since a depth map is found from the image name without suffix.')


def parse_shard(text):
    """Parse ``'i/n'`` into ``(i, n)`` with ``0 <= i < n``."""
    try:
        index, count = (int(part) for part in text.split('/'))
    except ValueError:
        raise ValueError(f'shard must be "i/n" with whole numbers, e.g. 0/4, got {text!r}') \
            from None
    if count < 1 or not 0 <= index < count:
        raise ValueError(f'shard {text!r}: need n >= 1 and 0 <= i < n (i counts from 0)')
    return index, count


def select_shard(rel_paths, index, count):
    """Every ``count``-th entry of the sorted ``rel_paths``, starting at ``index``."""
    return sorted(rel_paths)[index::count]


def take_shard(rel_paths, shard, what):
    """:func:`select_shard` for ``shard = (index, count)``, printing how many ``what`` (e.g.
    'images under DIR') there are and how many the shard takes."""
    index, count = shard
    selected = select_shard(rel_paths, index, count)
    print(f'{len(rel_paths)} {what}'
          + (f'; shard {index}/{count}: {len(selected)}' if count > 1 else ''))
    return selected


def check_source_folder(name, folder, out_name, out_dir, made):
    """Raise ``ValueError`` unless ``folder`` (argument ``name``) is a folder other than the
    output folder ``out_dir`` (argument ``out_name``), where ``made`` maps are written."""
    if not osp.isdir(folder):
        raise ValueError(f'{name} is not a folder: {folder}')
    if osp.realpath(folder) == osp.realpath(out_dir):
        raise ValueError(f'{out_name} must differ from {name} (a .png image would be replaced '
                         f'by its {made} map)')


def read_image(path):
    """Decode an image as mmcv's ``LoadImageFromFile`` does (OpenCV, EXIF orientation applied).

    Returns:
        np.ndarray: RGB uint8 ``(H, W, 3)``; grey images are repeated, alpha is dropped and
        16-bit images are reduced to 8 bits.
    """
    with open(path, 'rb') as f:
        data = f.read()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise ValueError('cannot decode the image (corrupt, empty or not an image)')
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
