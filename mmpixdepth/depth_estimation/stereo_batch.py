"""Disparity maps for folders of rectified stereo pairs (``tools/generate_disparity.py``).

The left image ``LEFT_DIR/a/b.png`` pairs with ``RIGHT_DIR/a/b.png``; with
``right_replace=(old, new)`` only left images whose file name contains ``old`` are taken, and
their partner's file name has the last ``old`` replaced by ``new`` (Cityscapes:
``x_leftImg8bit.png`` -> ``x_rightImg8bit.png``; Middlebury, both in one folder:
``im0.png`` -> ``im1.png``). The map goes to ``OUT_DIR/a/b.png`` (suffix made '.png', and
``out_replace=(old, new)`` applied to the file name the same way), a 16-bit PNG in the
Cityscapes encoding (:func:`mmpixdepth.depth_estimation.stereo.encode_disparity_png`).

A pair whose output is already a complete 16-bit PNG of the left image's size is skipped; a
pair that fails (unreadable image, missing partner, sizes differ) is reported and skipped.
"""
import os.path as osp
import sys
import time

import cv2
from tqdm import tqdm

from mmpixdepth.utils.atomic_write import write_atomic
from .depth_png import is_valid_depth_png
from .generate import GenerateSummary
from .image_files import list_images, output_name, read_image
from .stereo import compute_disparity, encode_disparity_png


class PairError(Exception):
    """A pair that cannot be matched; the message names the file and the fix."""


def replace_in_name(rel_path, replace):
    """``rel_path`` with the last ``replace[0]`` of its file name replaced by ``replace[1]``
    (unchanged when ``replace`` is None)."""
    if replace is None:
        return rel_path
    folder, name = osp.split(rel_path)
    old, new = replace
    head, found, tail = name.rpartition(old)
    if not found:
        raise ValueError(f'{rel_path}: the file name holds no {old!r} to replace')
    return '/'.join(filter(None, [folder, head + new + tail]))


def list_left_images(left_dir, out_dir=None, right_replace=None):
    """Sorted '/'-separated paths of the left images under ``left_dir`` (the output folder not
    searched); with ``right_replace`` only those whose file name contains its ``old``."""
    rel_paths = list_images(left_dir, exclude_dir=out_dir)
    if right_replace is not None:
        rel_paths = [rel for rel in rel_paths if right_replace[0] in osp.basename(rel)]
    return rel_paths


def disparity_name(rel_path, out_replace=None):
    """Relative output path of a left image: ``out_replace`` applied, suffix '.png'."""
    return output_name(replace_in_name(rel_path, out_replace))


def _read(path, role):
    try:
        return read_image(path)
    except (OSError, ValueError) as error:
        raise PairError(f'cannot read the {role} image {path}: {error}; replace the file or '
                        'remove the pair') from None


def match_pair(left_path, right_path, out_path, options, wls=False, overwrite=False):
    """Write the disparity of one pair unless a valid output exists.

    Args:
        left_path, right_path (str): The images of the pair.
        out_path (str): The disparity PNG, written atomically.
        options (SGBMOptions): Matcher settings.
        wls (bool): WLS filtering (needs opencv-contrib). Defaults to False.
        overwrite (bool): Redo a valid output. Defaults to False.

    Returns:
        bool: True when written, False when skipped.

    Raises:
        PairError: The pair cannot be matched (message names the file).
    """
    left = _read(left_path, 'left')
    if not overwrite and is_valid_depth_png(out_path, left.shape[:2]):
        return False
    if not osp.isfile(right_path):
        raise PairError(f'no right image {right_path} for the left image {left_path}: add it, '
                        'or remove the left image (pairs are matched by relative path, or by '
                        'the file-name replacement --right-replace OLD NEW)')
    right = _read(right_path, 'right')
    if right.shape != left.shape:
        raise PairError(f'the right image {right_path} is {right.shape[1]}x{right.shape[0]} but '
                        f'the left image is {left.shape[1]}x{left.shape[0]}; a rectified pair '
                        'has one size: rectify or crop both to it')
    try:
        disparity = compute_disparity(left, right, options, wls)
    except cv2.error as error:
        raise PairError(f'OpenCV failed to match it with {right_path}: {error}') from None
    try:
        write_atomic(out_path, encode_disparity_png(disparity))
    except (OSError, ValueError) as error:
        raise PairError(f'cannot write {out_path}: {error}') from None
    return True


def generate_disparity(left_dir, right_dir, out_dir, rel_paths, options, wls=False,
                       right_replace=None, out_replace=None, overwrite=False, progress=True):
    """Write the disparity map of every left image of ``rel_paths``.

    Args:
        left_dir, right_dir (str): Folders of the left and right images.
        out_dir (str): Output folder; the left folder structure is mirrored.
        rel_paths (list[str]): Left image paths relative to ``left_dir``.
        options (SGBMOptions): Matcher settings.
        wls (bool): WLS filtering (needs opencv-contrib). Defaults to False.
        right_replace, out_replace (tuple[str, str], optional): File-name replacements giving
            the right image and the output (see the module docstring). Default to None.
        overwrite (bool): Redo pairs whose output is valid. Defaults to False.
        progress (bool): Show a progress bar on stderr. Defaults to True.

    Returns:
        GenerateSummary: ``failed`` holds ``(left path, reason)``; failures are also printed to
        stderr as they happen.
    """
    summary = GenerateSummary()
    start = time.perf_counter()
    with tqdm(total=len(rel_paths), unit='pair', disable=not progress, mininterval=1,
              dynamic_ncols=True) as bar:
        for rel in rel_paths:
            left_path = osp.join(left_dir, rel)
            try:
                written = match_pair(left_path,
                                     osp.join(right_dir, replace_in_name(rel, right_replace)),
                                     osp.join(out_dir, disparity_name(rel, out_replace)),
                                     options, wls, overwrite)
                summary.done += written
                summary.skipped += not written
            except PairError as error:
                summary.failed.append((rel, str(error)))
                bar.write(f'failed: {left_path}: {error}', file=sys.stderr)
            bar.update()
            bar.set_postfix(done=summary.done, skipped=summary.skipped,
                            failed=len(summary.failed), refresh=False)
    summary.seconds = time.perf_counter() - start
    return summary
