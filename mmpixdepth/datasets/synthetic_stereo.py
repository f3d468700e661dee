"""Rectified stereo pairs with known disparity, rendered from the synthetic RGB-D set.

The synthetic image (:mod:`mmpixdepth.datasets.synthetic`) is the left view of a camera of
focal length ``f`` = the image width in pixels (the generator's camera); a second camera
``baseline_mm`` to its right sees the point of depth ``z`` (mm) at the disparity
``d = f x baseline_mm / z`` pixels: left pixel ``(y, x)`` appears at ``(y, x - d)``. The default
baseline of 220 mm gives about 4-44 px at 128 px width (3-33 px at 96 px).

The right view is the left image warped by its disparity (:func:`render_right_view`): where
several left pixels land on one right pixel the nearest wins (z-buffer); right pixels that no
left pixel reaches (background uncovered beside nearer surfaces) are holes, inpainted from
their surroundings; then camera noise is added. Depth missing in the source (0) is filled with
the nearest known depth for the rendering and left out of the true disparity.

Layout written under ``out_dir`` (``NNNNN`` the index of the source sample)::

    left/{split}/NNNNN.png        the source image, RGB uint8
    right/{split}/NNNNN.png       the rendered right view, RGB uint8
    disparity_gt/{split}/NNNNN.png  true disparity of the left view, 16-bit PNG
                                  round(d x 256) + 1, 0 where the source depth was missing
    occlusion/{split}/NNNNN.png   uint8: 0 visible in the right view, 1 hidden there by a
                                  nearer surface, 2 outside the right image
    meta.json                     camera, counts, layout, source
"""
import json
import os.path as osp

import cv2
import numpy as np
from tqdm import tqdm

from mmpixdepth.depth_estimation.stereo import disparity_to_png_values
from mmpixdepth.utils.atomic_write import write_atomic
from .synthetic import SPLITS

GENERATOR_VERSION = 1
BASELINE_MM = 220.
NOISE_STD = 2.
VISIBLE, OCCLUDED, OUTSIDE = 0, 1, 2
KINDS = ('left', 'right', 'disparity_gt', 'occlusion')
#: Neighbouring left pixels whose disparities differ by less than this (pixels) lie on one
#: surface: the right view is interpolated between them, otherwise there is an edge.
SURFACE_STEP = 1.
#: Added to the z-buffer key of samples interpolated between neighbours, so that on one surface
#: they win over the nearest-pixel samples of run ends (disparities differ far more between
#: surfaces).
_INTERPOLATED_PRIORITY = 1e-3


def fill_missing_depth(depth):
    """Copy of ``depth`` ``(H, W)`` with every 0 (missing) replaced by the nearest non-zero
    value (Euclidean distance); float64. Raises ValueError when no value is known."""
    known = depth > 0
    if not known.any():
        raise ValueError('the depth map has no valid pixel')
    _, labels = cv2.distanceTransformWithLabels(
        (~known).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    values = np.zeros(labels.max() + 1, np.float64)
    values[labels[known]] = depth[known]
    return values[labels]


def occlusion_mask(disparity):
    """Which left pixels the right camera cannot see.

    The left pixel ``x`` lands at ``x - d(x)`` in the right view; it is hidden when a pixel to
    its right lands there or further left (that pixel is nearer: ``d(x') >= d(x) + (x' - x)``),
    and outside when it lands left of the image (``x - d < -0.5``).

    Args:
        disparity (np.ndarray): float ``(H, W)`` disparity (pixels) defined everywhere.

    Returns:
        np.ndarray: uint8 ``(H, W)``: :data:`VISIBLE`, :data:`OCCLUDED` or :data:`OUTSIDE`.
    """
    column = np.arange(disparity.shape[1]) - disparity
    # the leftmost right-view column reached by the pixels right of each pixel
    reached = np.full(column.shape, np.inf)
    reached[:, :-1] = np.minimum.accumulate(column[:, :0:-1], axis=1)[:, ::-1]
    mask = np.full(column.shape, VISIBLE, np.uint8)
    mask[column >= reached] = OCCLUDED
    mask[column < -.5] = OUTSIDE
    return mask


def render_right_view(left, disparity):
    """Warp the left view to the right camera with a z-buffer.

    Each row is a chain of left pixels; neighbours on one surface (disparities closer than
    :data:`SURFACE_STEP`) span the right-view columns between their landing points, where
    colour and disparity are interpolated linearly; a pixel that ends a chain also covers the
    column nearest to its landing point. Where samples meet, the largest disparity (the nearest
    surface) wins.

    Args:
        left (np.ndarray): ``(H, W, C)`` left image, any numeric dtype.
        disparity (np.ndarray): float ``(H, W)`` disparity (pixels) defined everywhere.

    Returns:
        tuple: float32 ``(H, W, C)`` right view (0 in holes), float32 ``(H, W)`` right-view
        disparity (NaN in holes), bool ``(H, W)`` holes (right pixels seen by no left pixel).
    """
    height, width = disparity.shape
    left = np.asarray(left, np.float64)
    column = np.arange(width) - disparity
    rows = np.broadcast_to(np.arange(height)[:, None], (height, width - 1))
    c0, c1, d0, d1 = column[:, :-1], column[:, 1:], disparity[:, :-1], disparity[:, 1:]
    joined = np.abs(d1 - d0) < SURFACE_STEP  # then 0 < c1 - c0 < 2: at most 2 columns
    samples = []  # (rows, columns, z-buffer key, colour, disparity)
    for step in (0, 1):
        target = np.ceil(c0) + step
        take = joined & (target < c1) & (target >= 0) & (target <= width - 1)
        t = ((target - c0) / (c1 - c0))[take]
        samples.append((rows[take], target[take], d0[take] * (1 - t) + d1[take] * t
                        + _INTERPOLATED_PRIORITY,
                        left[:, :-1][take] * (1 - t)[:, None] + left[:, 1:][take] * t[:, None],
                        d0[take] * (1 - t) + d1[take] * t))
    chain_end = np.ones((height, width), bool)
    chain_end[:, :-1] &= ~joined
    chain_start = np.ones((height, width), bool)
    chain_start[:, 1:] &= ~joined
    nearest = np.rint(column)
    take = (chain_end | chain_start) & (nearest >= 0) & (nearest <= width - 1)
    samples.append((np.nonzero(take)[0], nearest[take], disparity[take], left[take],
                    disparity[take]))
    rows, cols, key, colour, values = (np.concatenate(part) for part in zip(*samples))
    cols = cols.astype(np.intp)
    best = np.full((height, width), -np.inf)
    np.maximum.at(best, (rows, cols), key)
    win = key == best[rows, cols]
    right = np.zeros((height, width, left.shape[2]), np.float32)
    right_disparity = np.full((height, width), np.nan, np.float32)
    right[rows[win], cols[win]] = colour[win]
    right_disparity[rows[win], cols[win]] = values[win]
    return right, right_disparity, ~np.isfinite(best)


def make_stereo_pair(left, depth_mm, focal_px, baseline_mm=BASELINE_MM, noise_std=NOISE_STD,
                     rng=None):
    """A rectified pair with its truth from one RGB-D sample.

    Args:
        left (np.ndarray): uint8 ``(H, W, 3)`` image, the left view.
        depth_mm (np.ndarray): ``(H, W)`` depth in mm, 0 where missing.
        focal_px (float): Focal length in pixels.
        baseline_mm (float): Distance between the cameras in mm. Defaults to 220.
        noise_std (float): Std of the Gaussian noise (grey levels) added to the right view.
            Defaults to 2.
        rng (np.random.Generator, optional): Source of the noise. Defaults to a fresh one.

    Returns:
        dict: ``right`` uint8 ``(H, W, 3)``; ``disparity`` float32 ``(H, W)`` true disparity
        (pixels) of the left view, NaN where the depth was missing; ``occlusion`` uint8
        ``(H, W)`` (see :func:`occlusion_mask`); ``holes`` bool ``(H, W)`` right pixels no left
        pixel reaches (inpainted).
    """
    rng = np.random.default_rng() if rng is None else rng
    disparity = focal_px * baseline_mm / fill_missing_depth(depth_mm)
    right, _, holes = render_right_view(left, disparity)
    right = np.clip(np.rint(right), 0, 255).astype(np.uint8)
    right = cv2.inpaint(right, holes.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    right = right + rng.normal(0, noise_std, right.shape)
    return dict(
        right=np.clip(np.rint(right), 0, 255).astype(np.uint8),
        disparity=np.where(depth_mm > 0, disparity, np.nan).astype(np.float32),
        occlusion=occlusion_mask(disparity),
        holes=holes)


def _png(array):
    ok, data = cv2.imencode('.png', array)
    if not ok:
        raise ValueError('OpenCV could not encode a PNG')
    return data.tobytes()


def generate_stereo_pairs(source_dir, out_dir, baseline_mm=BASELINE_MM, noise_std=NOISE_STD,
                          seed=0, progress=True):
    """Render a stereo pair for every sample of a synthetic RGB-D set.

    Args:
        source_dir (str): A set written by :func:`mmpixdepth.datasets.generate_synthetic_rgbd`
            (``meta.json``, ``images/``, ``depth/`` in mm).
        out_dir (str): Output folder (see the module docstring); files are written atomically,
            ``meta.json`` last.
        baseline_mm (float): Distance between the cameras (mm). Defaults to 220.
        noise_std (float): Noise std (grey levels) of the right view. Defaults to 2.
        seed (int): Seed of the noise; sample ``(split, i)`` uses ``(seed, split, i)``.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        dict: The content of ``meta.json``.
    """
    meta_path = osp.join(source_dir, 'meta.json')
    if not osp.isfile(meta_path):
        raise FileNotFoundError(f'{meta_path} not found: source_dir must be a synthetic RGB-D '
                                'set (python tools/generate_synthetic_data.py --out DIR)')
    with open(meta_path) as f:
        source = json.load(f)
    if source.get('generator') != 'mmpixdepth.datasets.synthetic' or \
            source.get('depth', {}).get('unit') != 'mm':
        raise ValueError(f'{meta_path} does not describe a synthetic RGB-D set with depth in mm')
    if not baseline_mm > 0 or not noise_std >= 0:
        raise ValueError(f'need baseline_mm > 0 and noise_std >= 0, got {baseline_mm} and '
                         f'{noise_std}')
    height, width = source['image_shape']
    focal_px = float(width)
    tasks = [(split, i) for split in SPLITS for i in range(source['counts'][split])]
    low, high = np.inf, -np.inf
    for split, i in tqdm(tasks, desc='stereo pairs', unit='pair', disable=not progress):
        name = f'{split}/{i:05d}.png'
        image = cv2.imread(osp.join(source_dir, 'images', name), cv2.IMREAD_COLOR)
        depth = cv2.imread(osp.join(source_dir, 'depth', name), cv2.IMREAD_UNCHANGED)
        if image is None or depth is None or depth.shape != (height, width):
            raise ValueError(f'{source_dir}: images/{name} or depth/{name} is missing, '
                             'unreadable or not of the size in meta.json; regenerate the set')
        rng = np.random.default_rng([seed, SPLITS.index(split), i])
        pair = make_stereo_pair(image[..., ::-1], depth, focal_px, baseline_mm, noise_std, rng)
        low = min(low, float(np.nanmin(pair['disparity'])))
        high = max(high, float(np.nanmax(pair['disparity'])))
        write_atomic(osp.join(out_dir, 'left', name), _png(image))
        write_atomic(osp.join(out_dir, 'right', name), _png(pair['right'][..., ::-1]))
        write_atomic(osp.join(out_dir, 'disparity_gt', name),
                     _png(disparity_to_png_values(pair['disparity'])))
        write_atomic(osp.join(out_dir, 'occlusion', name), _png(pair['occlusion']))
    meta = dict(
        generator='mmpixdepth.datasets.synthetic_stereo',
        version=GENERATOR_VERSION,
        source=osp.abspath(source_dir),
        source_seed=source['seed'],
        seed=seed,
        image_shape=[height, width],
        counts=source['counts'],
        focal_px=focal_px,
        baseline_mm=float(baseline_mm),
        noise_std=float(noise_std),
        disparity=dict(encoding='round(disparity * 256) + 1, 0 = invalid', unit='px',
                       range=[low, high]),
        occlusion=dict(visible=VISIBLE, occluded=OCCLUDED, outside=OUTSIDE),
        layout={kind: f'{kind}/{{split}}/{{index:05d}}.png' for kind in KINDS})
    write_atomic(osp.join(out_dir, 'meta.json'), json.dumps(meta, indent=2).encode())
    return meta
