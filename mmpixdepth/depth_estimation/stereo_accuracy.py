"""Accuracy of disparity maps against the truth of the synthetic stereo pairs.

Rates are over the pixels of the left view where the truth is known, grouped as:

- **textured**: the mean gradient magnitude of the grey left image over a
  ``window x window`` neighbourhood is at least ``threshold`` grey levels per pixel (image
  smoothed by a Gaussian of sigma 1 first, Sobel derivatives / 8); block matching has
  something to match there, in flat areas it has not;
- **visible**: seen by the right camera (occlusion value 0, see
  :mod:`mmpixdepth.datasets.synthetic_stereo`); **occluded**: hidden there by a nearer surface
  (1) or outside the right image (2).

``bad1`` and ``bad3`` are the shares of the valid estimates on visible textured pixels that miss
the truth by more than 1 and 3 pixels, ``epe`` their mean absolute error (pixels);
``invalid_textured`` is the share of visible textured pixels without an estimate;
``occluded_invalid`` and ``outside_invalid`` the shares of occluded and outside pixels marked
invalid (1 is ideal there: no match exists).
"""
import os.path as osp

import cv2
import numpy as np

from mmpixdepth.datasets.converters.cityscapes import decode_disparity
from mmpixdepth.fileio import read_depth

TEXTURE_THRESHOLD = 4.
TEXTURE_WINDOW = 5
OCCLUDED, OUTSIDE = 1, 2


def textured_mask(image, threshold=TEXTURE_THRESHOLD, window=TEXTURE_WINDOW):
    """Bool ``(H, W)``: where the uint8 ``(H, W, 3)`` RGB (or ``(H, W)`` grey) ``image`` has a
    mean gradient magnitude of at least ``threshold`` grey levels per pixel over a
    ``window x window`` neighbourhood (after a Gaussian blur of sigma 1)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    grey = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 1.)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3) / 8
    return cv2.blur(np.hypot(gx, gy), (window, window)) >= threshold


def accuracy_counts(estimate, truth, occlusion, textured):
    """Pixel counts of one map (sum them over maps, then :func:`accuracy_rates`).

    Args:
        estimate, truth (np.ndarray): float ``(H, W)`` disparities (pixels), NaN where invalid
            or unknown.
        occlusion (np.ndarray): uint8 ``(H, W)``: 0 visible, 1 occluded, 2 outside.
        textured (np.ndarray): bool ``(H, W)``, see :func:`textured_mask`.

    Returns:
        dict[str, float]: counts ``pixels``, ``known``, ``evaluated`` (visible textured known),
        ``estimated`` (of those, with an estimate), ``bad1``, ``bad3``, ``abs_error`` (sum),
        ``occluded``, ``occluded_invalid``, ``outside``, ``outside_invalid``.
    """
    known = np.isfinite(truth)
    has = np.isfinite(estimate)
    evaluated = known & textured & (occlusion == 0)
    scored = evaluated & has
    error = np.abs(estimate[scored] - truth[scored])
    counts = dict(pixels=truth.size, known=int(known.sum()), evaluated=int(evaluated.sum()),
                  estimated=int(scored.sum()), bad1=int((error > 1).sum()),
                  bad3=int((error > 3).sum()), abs_error=float(error.sum()))
    for name, value in (('occluded', OCCLUDED), ('outside', OUTSIDE)):
        region = known & (occlusion == value)
        counts[name] = int(region.sum())
        counts[f'{name}_invalid'] = int((region & ~has).sum())
    return counts


def _share(part, whole):
    return part / whole if whole else float('nan')


def accuracy_rates(counts):
    """Rates from summed :func:`accuracy_counts`: ``bad1``, ``bad3``, ``epe``,
    ``invalid_textured``, ``occluded_invalid``, ``outside_invalid`` (fractions; NaN where no
    pixel counts) and ``textured_share`` (evaluated pixels / known pixels)."""
    return dict(
        bad1=_share(counts['bad1'], counts['estimated']),
        bad3=_share(counts['bad3'], counts['estimated']),
        epe=_share(counts['abs_error'], counts['estimated']),
        invalid_textured=_share(counts['evaluated'] - counts['estimated'], counts['evaluated']),
        occluded_invalid=_share(counts['occluded_invalid'], counts['occluded']),
        outside_invalid=_share(counts['outside_invalid'], counts['outside']),
        textured_share=_share(counts['evaluated'], counts['known']))


def _read_disparity(path):
    if not osp.isfile(path):
        raise FileNotFoundError(f'disparity map {path} not found')
    return decode_disparity(read_depth(path))


def evaluate_stereo(pairs_dir, disparity_dir, names, threshold=TEXTURE_THRESHOLD,
                    window=TEXTURE_WINDOW):
    """Accuracy of the disparity maps of synthetic pairs.

    Args:
        pairs_dir (str): Output of :func:`mmpixdepth.datasets.synthetic_stereo.
            generate_stereo_pairs` (``left/``, ``disparity_gt/``, ``occlusion/``).
        disparity_dir (str): Estimated maps, same relative names (Cityscapes encoding).
        names (list[str]): Relative names, e.g. ``['val/00000.png']``.
        threshold, window: See :func:`textured_mask`.

    Returns:
        tuple[dict, dict]: Summed counts (see :func:`accuracy_counts`) and their rates (see
        :func:`accuracy_rates`).
    """
    if not names:
        raise ValueError(f'no pairs to evaluate under {pairs_dir}')
    total = {}
    for name in names:
        left = cv2.imread(osp.join(pairs_dir, 'left', name), cv2.IMREAD_GRAYSCALE)
        occlusion = cv2.imread(osp.join(pairs_dir, 'occlusion', name), cv2.IMREAD_UNCHANGED)
        if left is None or occlusion is None:
            raise FileNotFoundError(f'left/{name} or occlusion/{name} is missing or unreadable '
                                    f'under {pairs_dir}')
        truth = _read_disparity(osp.join(pairs_dir, 'disparity_gt', name))
        estimate = _read_disparity(osp.join(disparity_dir, name))
        if estimate.shape != truth.shape:
            raise ValueError(f'{osp.join(disparity_dir, name)} is {estimate.shape[1]}x'
                             f'{estimate.shape[0]}, the pair {truth.shape[1]}x{truth.shape[0]}')
        counts = accuracy_counts(estimate, truth, occlusion, textured_mask(left, threshold,
                                                                           window))
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
    return total, accuracy_rates(total)
