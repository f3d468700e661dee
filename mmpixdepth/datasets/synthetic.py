"""A deterministic generator of synthetic RGB-D scenes with semantic labels.

Each scene is a textured background surface (a far, smooth, tilted and gently curved surface)
occluded by 2-5 textured objects at distinct random depths (``num_objects`` and
``object_scale`` change their count and size: ``object_scale=0.5`` leaves about 94 % of the
pixels to the background instead of about 77 %). The object classes are defined by
shape, with a characteristic texture family per class, never by depth; the same texture families
also appear on the background and on objects of other classes, so pixels on both sides of an
object border can look alike while lying at very different depths.

Layout written under ``out_dir`` (``NNNNN`` is the zero-padded index, ``split`` is ``train`` or
``val``)::

    images/{split}/NNNNN.png        RGB, uint8, (size, size, 3)
    depth/{split}/NNNNN.png         depth in millimetres, uint16, (size, size); 0 = missing
    annotations/{split}/NNNNN.png   class index, uint8, (size, size); 0 = background
    meta.json                       classes, palette, depth unit, seeds, sizes and counts
"""
import json
import os
import os.path as osp
from multiprocessing import get_context

import cv2
import numpy as np
from tqdm import tqdm

GENERATOR_VERSION = 1
SPLITS = ('train', 'val')
KINDS = ('images', 'depth', 'annotations')
CLASSES = ('background', 'disc', 'box', 'triangle', 'ring', 'cross')
PALETTE = [[0, 0, 0], [220, 20, 60], [0, 128, 255], [255, 200, 0], [0, 190, 100],
           [160, 60, 240]]
TEXTURES = ('dots', 'checker', 'stripes', 'noise', 'waves')
# The texture family an object of each class gets with probability ``CLASS_TEXTURE_PROB``.
CLASS_TEXTURES = dict(disc='dots', box='checker', triangle='stripes', ring='noise', cross='waves')
CLASS_TEXTURE_PROB = 0.7
NUM_OBJECTS = (2, 5)  # default (min, max) objects per scene
BACKGROUND_DEPTH_MM = (3000., 5000.)
NEAREST_OBJECT_MM = 700.
INVALID_DEPTH = 0


def _rotated(x, y, cx, cy, theta):
    """Coordinates (u, v) of the pixel grid in a frame centred at (cx, cy), rotated by theta."""
    c, s = np.cos(theta), np.sin(theta)
    return (x - cx) * c + (y - cy) * s, -(x - cx) * s + (y - cy) * c


def _texture(rng, family, x, y, cx, cy, size):
    """Colour texture of one surface, float32 (H, W, 3) in [0, 255].

    Two random colours of some contrast are mixed by a pattern of the given family, attached to
    the surface frame centred at (cx, cy) with a random orientation and period.
    """
    u, v = _rotated(x, y, cx, cy, rng.uniform(0, np.pi))
    period = max(rng.uniform(6., 14.) * size / 128., 3.5)
    if family == 'stripes':
        t = np.sin(2 * np.pi * u / period) > 0
    elif family == 'checker':
        t = np.sin(np.pi * u / period) * np.sin(np.pi * v / period) > 0
    elif family == 'dots':
        fu = u / period - np.floor(u / period) - .5
        fv = v / period - np.floor(v / period) - .5
        t = np.hypot(fu, fv) < rng.uniform(.25, .4)
    elif family == 'waves':
        bend = rng.uniform(.15, .35) * period * np.sin(2 * np.pi * v / (2.5 * period))
        t = np.sin(2 * np.pi * (u + bend) / period) > 0
    else:  # 'noise': smooth random blobs, thresholded softly
        cells = rng.normal(size=(max(int(size / period), 2),) * 2).astype(np.float32)
        field = cv2.resize(cells, x.shape[::-1], interpolation=cv2.INTER_CUBIC)
        t = np.clip(.5 + field, 0, 1)
    c1 = rng.uniform(20, 235, 3)
    c2 = np.clip(c1 + rng.choice([-1, 1], 3) * rng.uniform(60, 140, 3), 0, 255)
    t = np.asarray(t, np.float32)[..., None]
    return (c1 * (1 - t) + c2 * t).astype(np.float32)


def _shading(rng, z, focal):
    """Lambertian shading in [0.5, 1] of the surface ``z`` (mm) under a light near the camera."""
    dzdy, dzdx = np.gradient(z)
    normal = np.stack([dzdx * focal / z, dzdy * focal / z, -np.ones_like(z)], axis=-1)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    light = np.array([rng.uniform(-.6, .6), rng.uniform(-.6, .6), -1.])
    light /= np.linalg.norm(light)
    return .5 + .5 * np.clip(normal @ light, 0, 1)


def _tilted_plane(rng, x, y, cx, cy, z0, size, max_slope):
    """A plane through depth z0 (mm) at (cx, cy) with a random tilt, float (H, W) in mm."""
    gx, gy = rng.uniform(-max_slope, max_slope, 2)
    return z0 * (1 + gx * (x - cx) / size + gy * (y - cy) / size)


def _object(rng, cls, x, y, z0, size, focal, scale=1.):
    """Silhouette (bool (H, W)) and depth surface (float (H, W), mm) of one object, whose
    radius is ``scale`` times 12-24 % of the image side."""
    cx, cy = rng.uniform(.15, .85, 2) * size
    r = rng.uniform(.12, .24) * size * scale
    theta = rng.uniform(0, 2 * np.pi)
    u, v = _rotated(x, y, cx, cy, theta)
    dist = np.hypot(u, v)
    z = _tilted_plane(rng, x, y, cx, cy, z0, size, .3)
    if cls == 'disc':  # a sphere-like cap bulging towards the camera
        mask = dist < r
        bulge = r * z0 / focal * rng.uniform(.5, 1.)
        z = z - bulge * np.sqrt(np.clip(1 - (dist / r)**2, 0, 1))
    elif cls == 'box':
        mask = (np.abs(u) < r * rng.uniform(.6, 1.)) & (np.abs(v) < r * rng.uniform(.4, .9))
    elif cls == 'triangle':
        angles = theta + np.arange(3) * 2 * np.pi / 3 + rng.uniform(-.25, .25, 3)
        px = cx + r * rng.uniform(1., 1.3) * np.cos(angles)
        py = cy + r * rng.uniform(1., 1.3) * np.sin(angles)
        mask = np.ones_like(x, bool)
        for i in range(3):  # inside = left of every counter-clockwise edge
            j = (i + 1) % 3
            mask &= (px[j] - px[i]) * (y - py[i]) - (py[j] - py[i]) * (x - px[i]) > 0
    elif cls == 'ring':  # a tilted torus-like tube around a hole that shows what is behind
        outer = r * rng.uniform(.9, 1.1)
        inner = outer * rng.uniform(.45, .65)
        mid, half = (outer + inner) / 2, (outer - inner) / 2
        mask = (dist > inner) & (dist < outer)
        tube = half * z0 / focal
        z = z - tube * np.sqrt(np.clip(1 - ((dist - mid) / half)**2, 0, 1))
    else:  # 'cross'
        arm, width = r * rng.uniform(.8, 1.1), r * rng.uniform(.25, .4)
        mask = ((np.abs(u) < arm) & (np.abs(v) < width)) | ((np.abs(v) < arm) &
                                                             (np.abs(u) < width))
    return mask, z, (cx, cy)


def _object_depths(rng, num, far):
    """``num`` distinct depths (mm) in [NEAREST_OBJECT_MM, far], one per equal bin, shuffled."""
    edges = np.linspace(NEAREST_OBJECT_MM, far, num + 1)
    width = edges[1] - edges[0]
    depths = edges[:-1] + width * rng.uniform(.2, .8, num)
    return rng.permutation(depths)


def _missing_depth(rng, z, layer, size):
    """Where a depth sensor returns nothing, bool (H, W).

    Holes follow the depth discontinuities between layers (always on the far side, often in a band
    around them), plus a few random dropout blobs.
    """
    far_side = np.zeros_like(layer, bool)
    edge = np.zeros_like(layer, bool)
    for axis in (0, 1):
        a = [slice(None)] * 2
        b = [slice(None)] * 2
        a[axis], b[axis] = slice(1, None), slice(None, -1)
        a, b = tuple(a), tuple(b)
        jump = (layer[a] != layer[b]) & (np.abs(z[a] - z[b]) > .03 * np.minimum(z[a], z[b]))
        edge[a] |= jump
        edge[b] |= jump
        far_side[a] |= jump & (z[a] > z[b])
        far_side[b] |= jump & (z[b] > z[a])
    width = 2 * max(int(round(rng.uniform(.5, 1.5) * size / 128)), 1) + 1
    band = cv2.dilate(edge.astype(np.uint8), np.ones((width, width), np.uint8)) > 0
    missing = (far_side & (rng.random(z.shape) < .95)) | (band & (rng.random(z.shape) < .6))
    blobs = np.zeros(z.shape, np.uint8)
    for _ in range(rng.integers(0, 4)):
        center = tuple(int(c) for c in rng.integers(0, size, 2))
        axes = tuple(int(a) for a in rng.uniform(1, .06 * size, 2))
        cv2.ellipse(blobs, center, axes, rng.uniform(0, 180), 0, 360, 1, -1)
    return missing | (blobs > 0)


def render_scene(rng, size, object_scale=1., num_objects=NUM_OBJECTS):
    """Render one scene.

    Args:
        rng (np.random.Generator): The only source of randomness.
        size (int): Image side in pixels.
        object_scale (float): Factor on the objects' size. Defaults to 1.
        num_objects (tuple[int, int]): Min and max number of objects. Defaults to (2, 5).

    Returns:
        tuple: ``img`` uint8 (size, size, 3) RGB, ``depth`` uint16 (size, size) in mm with
        ``INVALID_DEPTH`` where missing, ``label`` uint8 (size, size) class indices.
    """
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    focal = float(size)
    center = size / 2
    # Background: far, tilted, gently curved.
    z_bg = rng.uniform(*BACKGROUND_DEPTH_MM) * (
        _tilted_plane(rng, x, y, center, center, 1., size, .2) +
        rng.uniform(-.05, .1) * ((x - center)**2 + (y - center)**2) / center**2)
    layers = [(np.inf, np.ones_like(x, bool), z_bg, 0, rng.choice(TEXTURES), (center, center))]
    num = int(rng.integers(num_objects[0], num_objects[1] + 1))
    object_classes = rng.integers(1, len(CLASSES), num)
    for cls, z0 in zip(object_classes, _object_depths(rng, num, .8 * z_bg.min())):
        name = CLASSES[cls]
        family = CLASS_TEXTURES[name] if rng.random() < CLASS_TEXTURE_PROB else rng.choice(
            TEXTURES)
        mask, z, origin = _object(rng, name, x, y, z0, size, focal, object_scale)
        layers.append((z0, mask, z, cls, family, origin))

    # Painter's order, far to near, with a depth test so that intersecting surfaces stay exact.
    depth = np.full((size, size), np.inf)
    img = np.zeros((size, size, 3), np.float32)
    label = np.zeros((size, size), np.uint8)
    layer_id = np.zeros((size, size), np.int32)
    for i in sorted(range(len(layers)), key=lambda k: -layers[k][0]):
        _, mask, z, cls, family, (ox, oy) = layers[i]
        front = mask & (z < depth)
        colour = _texture(rng, family, x, y, ox, oy, size) * _shading(rng, z, focal)[..., None]
        depth[front] = z[front]
        img[front] = colour[front]
        label[front] = cls
        layer_id[front] = i

    # Camera: smooth illumination change, slight blur, noise.
    gain = _tilted_plane(rng, x, y, center, center, 1., size, .25)
    img = cv2.GaussianBlur(img * gain[..., None], (0, 0), rng.uniform(.4, .8))
    img = img + rng.normal(0, rng.uniform(2., 5.), img.shape)
    img = np.clip(np.round(img), 0, 255).astype(np.uint8)

    # Sensor: relative and depth-squared noise, holes at discontinuities and dropouts.
    missing = _missing_depth(rng, depth, layer_id, size)
    noisy = depth * (1 + rng.normal(0, .003, depth.shape)) + rng.normal(
        0, 1, depth.shape) * (1. + 1.2e-6 * depth**2)
    depth_mm = np.clip(np.round(noisy), 1, np.iinfo(np.uint16).max).astype(np.uint16)
    depth_mm[missing] = INVALID_DEPTH
    return img, depth_mm, label


def _write_sample(task):
    """Render the scene of ``(out_dir, split, index, size, seed, object_scale, num_objects)``
    and write its three PNGs."""
    out_dir, split, index, size, seed, object_scale, num_objects = task
    rng = np.random.default_rng([seed, SPLITS.index(split), index])
    img, depth, label = render_scene(rng, size, object_scale, num_objects)
    name = f'{index:05d}.png'
    cv2.imwrite(osp.join(out_dir, 'images', split, name), img[..., ::-1])
    cv2.imwrite(osp.join(out_dir, 'depth', split, name), depth)
    cv2.imwrite(osp.join(out_dir, 'annotations', split, name), label)


def _init_worker():
    cv2.setNumThreads(1)


def check_objects(object_scale, num_objects):
    """Raise a ValueError naming the argument unless the object options are usable."""
    if not (isinstance(object_scale, (int, float)) and 0.1 <= object_scale <= 2):
        raise ValueError(f'object_scale must be a number in [0.1, 2], got {object_scale!r}')
    if (len(num_objects) != 2 or not all(isinstance(n, int) for n in num_objects)
            or not 1 <= num_objects[0] <= num_objects[1] <= 10):
        raise ValueError('num_objects must be (min, max) with 1 <= min <= max <= 10, got '
                         f'{tuple(num_objects)!r}')


def synthetic_meta(num_train, num_val, size, seed, object_scale=1., num_objects=NUM_OBJECTS):
    """The ``meta.json`` content of a set generated with these arguments (``objects`` only
    where the object options differ from the defaults)."""
    meta = dict(
        generator='mmpixdepth.datasets.synthetic',
        version=GENERATOR_VERSION,
        seed=seed,
        size=size,
        image_shape=[size, size],
        counts=dict(train=num_train, val=num_val),
        classes=list(CLASSES),
        palette=PALETTE,
        class_textures=CLASS_TEXTURES,
        depth=dict(unit='mm', dtype='uint16', invalid_value=INVALID_DEPTH),
        layout=dict(
            images='images/{split}/{index:05d}.png',
            depth='depth/{split}/{index:05d}.png',
            annotations='annotations/{split}/{index:05d}.png'))
    if object_scale != 1 or tuple(num_objects) != NUM_OBJECTS:
        meta['objects'] = dict(scale=float(object_scale), count=list(num_objects))
    return meta


def generate_synthetic_rgbd(out_dir, num_train=500, num_val=100, size=128, seed=0,
                            workers=min(4, os.cpu_count() or 1), object_scale=1.,
                            num_objects=NUM_OBJECTS):
    """Generate the synthetic RGB-D segmentation set under ``out_dir``.

    Every sample is rendered from its own generator seeded with ``(seed, split, index)``, so the
    files are byte-identical whatever ``workers`` is. ``meta.json`` is written last.

    Args:
        out_dir (str): Output folder (created if needed; files with the same names are replaced).
        num_train (int): Number of training samples. Defaults to 500.
        num_val (int): Number of validation samples. Defaults to 100.
        size (int): Image side in pixels. Defaults to 128.
        seed (int): Seed of the whole set. Defaults to 0.
        workers (int): Processes rendering in parallel. Defaults to min(4, CPU count).
        object_scale (float): Factor on the objects' size, in [0.1, 2]. Defaults to 1.
        num_objects (tuple[int, int]): Min and max objects per scene, within [1, 10].
            Defaults to (2, 5).

    Returns:
        dict: The content of ``meta.json`` (see the module docstring for the layout).
    """
    check_objects(object_scale, num_objects)
    num_objects = tuple(num_objects)
    counts = dict(train=num_train, val=num_val)
    for kind in KINDS:
        for split in SPLITS:
            os.makedirs(osp.join(out_dir, kind, split), exist_ok=True)
    tasks = [(out_dir, split, i, size, seed, object_scale, num_objects) for split in SPLITS for i in range(counts[split])]
    with tqdm(total=len(tasks), desc='synthetic RGB-D', unit='img') as bar:
        if workers > 1:
            # spawned, not forked: a fork of a process whose OpenCV or OpenMP thread pools have
            # run can deadlock in the child
            with get_context('spawn').Pool(workers, initializer=_init_worker) as pool:
                for _ in pool.imap_unordered(_write_sample, tasks, chunksize=8):
                    bar.update()
        else:
            for task in tasks:
                _write_sample(task)
                bar.update()
    meta = synthetic_meta(num_train, num_val, size, seed, object_scale, num_objects)
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=2)
    return meta
