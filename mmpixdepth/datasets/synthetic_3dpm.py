"""A deterministic generator of 3DPM-like material samples (reflectance + depth, 7 classes).

Each sample is a top view of a conveyor belt covered by particles of one material, seen by a
3D profiler: a reflectance image and a pixel-aligned depth map. The materials differ both in
reflectance texture (albedo level and spread, grain size and contrast of the surface texture)
and in depth relief (particle size, shape, height): round lumps, faceted ore pieces or
elongated cylinders. A random illumination gain per sample keeps brightness alone from
telling the classes apart. Depth has sensor noise and missing pixels (value 0) on steep
slopes and at random dropouts.

Layout written under ``out_dir`` (the :class:`ThreeDPMDataset` layout)::

    reflectance/<class>/NNNN.png   uint8 (size, size)
    depth/<class>/NNNN.png         uint16 (size, size), depth in 0.1 mm; 0 = missing
                                   (or .npy / .tif float32 with ``depth_format``)
    splits/{train,val,test}.txt    stratified 60/20/20 split, '<class>/NNNN' per line
    meta.json                      classes, sizes, seed, depth unit, counts (written last)
"""
import json
import os
import os.path as osp

import cv2
import numpy as np

from mmpixdepth.fileio import write_depth_png16
from .three_dpm import CLASSES, write_3dpm_splits

GENERATOR_VERSION = 1
DEPTH_FORMATS = ('png', 'npy', 'tif')
BELT_DEPTH_MM = 1500.
MM_PER_PIXEL_AT_64 = 2.  # a 64-pixel image spans 128 mm of belt
DEPTH_UNIT_MM = 0.1  # value 1 of a depth PNG
INVALID_DEPTH = 0
# radius: particle radius as a fraction of the image side; height: particle height / radius;
# albedo: (mean, spread) over the particles of a sample; grain: texture scale in pixels at
# 64x64; contrast: texture amplitude (albedo units).
MATERIALS = dict(
    Mixed1=dict(radius=(.04, .13), shape='round', height=.9, albedo=(.45, .18), grain=1.,
                contrast=.10),
    Aggl=dict(radius=(.12, .2), shape='round', height=.5, albedo=(.38, .04), grain=3.,
              contrast=.05),
    Mixed2=dict(radius=(.03, .14), shape='angular', height=.9, albedo=(.55, .18), grain=1.,
                contrast=.14),
    Ore1=dict(radius=(.05, .08), shape='angular', height=1., albedo=(.30, .05), grain=.7,
              contrast=.18),
    Ore2=dict(radius=(.08, .12), shape='angular', height=1., albedo=(.45, .05), grain=1.5,
              contrast=.10),
    Ore3=dict(radius=(.06, .10), shape='angular', height=.6, albedo=(.62, .05), grain=2.5,
              contrast=.08),
    Cylindrical=dict(radius=(.04, .06), shape='cylinder', height=.8, albedo=(.50, .05),
                     grain=2., contrast=.05),
)
BELT_ALBEDO = .15


def _particles(rng, material, size):
    """Height above the belt (float32 (size, size), pixels; <= 0 off particles) and albedo."""
    low, high = material['radius']
    radius = rng.uniform(low, high, 1000) * size
    count = int(np.clip(1.4 * size**2 / (np.pi * np.mean(radius**2)), 3, 400))
    radius = radius[:count, None, None].astype(np.float32)
    cx, cy = (rng.uniform(0, size, (2, count, 1, 1))).astype(np.float32)
    theta = rng.uniform(0, np.pi, (count, 1, 1)).astype(np.float32)
    stretch = rng.uniform(.8, 1.25, (count, 1, 1)).astype(np.float32)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) + .5
    u = (x - cx) * np.cos(theta) + (y - cy) * np.sin(theta)
    v = -(x - cx) * np.sin(theta) + (y - cy) * np.cos(theta)
    a, b = radius * stretch, radius / stretch
    top = material['height'] * radius
    if material['shape'] == 'round':  # ellipsoidal lumps
        q = (u / a)**2 + (v / b)**2
        height = top * np.sqrt(np.clip(1 - q, 0, None))
    elif material['shape'] == 'angular':  # faceted, octagon-like pieces with sharp ridges
        q = np.maximum(np.maximum(np.abs(u) / a, np.abs(v) / b), (np.abs(u) / a + np.abs(v) / b)
                       / 1.3)
        height = top * (1 - q)
    else:  # 'cylinder': pellets lying on the belt, 2.5-4 radii long
        length = radius * rng.uniform(2.5, 4., (count, 1, 1)).astype(np.float32)
        q = np.maximum((v / radius)**2, (np.abs(u) / length)**8)
        height = top * np.sqrt(np.clip(1 - (v / radius)**2, 0, None))
    height = np.where(q < 1, height + rng.uniform(0, .3, (count, 1, 1)) * radius, -np.inf)
    albedo = np.clip(rng.normal(*material['albedo'], count), .05, .95)
    return height.max(0), albedo[height.argmax(0)]


def render_sample(rng, cls, size):
    """One sample of class ``cls``: reflectance (uint8 (size, size)) and depth in 0.1 mm
    (uint16 (size, size), 0 = missing)."""
    material = MATERIALS[cls]
    height, albedo = _particles(rng, material, size)
    on_particle = height > 0
    surface = np.where(on_particle, height, 0).astype(np.float32)  # pixels above the belt
    albedo = np.where(on_particle, albedo, BELT_ALBEDO)

    grain = material['grain'] * size / 64
    texture = cv2.GaussianBlur(rng.normal(size=(size, size)).astype(np.float32), (0, 0), grain)
    texture *= material['contrast'] / max(float(texture.std()), 1e-6)
    dzdy, dzdx = np.gradient(surface)
    light = np.array([rng.uniform(-.5, .5), rng.uniform(-.5, .5), 1.])
    normal = np.stack([-dzdx, -dzdy, np.ones_like(surface)], axis=-1)
    shading = .5 + .5 * np.clip(normal @ (light / np.linalg.norm(light)), 0, None) \
        / np.linalg.norm(normal, axis=-1)
    gain = rng.uniform(.75, 1.25)
    reflectance = 255 * gain * (albedo + texture * on_particle) * shading
    reflectance = reflectance + rng.normal(0, 2., reflectance.shape)
    reflectance = np.clip(np.round(reflectance), 0, 255).astype(np.uint8)

    mm_per_pixel = MM_PER_PIXEL_AT_64 * 64 / size
    depth_mm = BELT_DEPTH_MM - surface * mm_per_pixel + rng.normal(0, .2, surface.shape)
    slope = np.hypot(dzdx, dzdy)
    missing = (slope > 1.5) & (rng.random(surface.shape) < .5) | (rng.random(surface.shape) < .005)
    depth = np.round(depth_mm / DEPTH_UNIT_MM)
    depth[missing] = INVALID_DEPTH
    return reflectance, depth.astype(np.uint16)


def _write_depth(path, depth, depth_format):
    if depth_format == 'png':
        write_depth_png16(path, depth)
    elif depth_format == 'npy':
        np.save(path, depth.astype(np.float32))
    else:
        cv2.imwrite(path, depth.astype(np.float32))


def synthetic_3dpm_meta(num_per_class, size, seed, depth_format='png'):
    """The ``meta.json`` content of a set generated with these arguments."""
    return dict(
        generator='mmpixdepth.datasets.synthetic_3dpm',
        version=GENERATOR_VERSION,
        seed=seed,
        size=size,
        num_per_class=num_per_class,
        classes=list(CLASSES),
        depth=dict(unit_mm=DEPTH_UNIT_MM, format=depth_format, invalid_value=INVALID_DEPTH),
        splits=dict(ratios=[.6, .2, .2], names=['train', 'val', 'test'], seed=seed),
        layout=dict(reflectance='reflectance/<class>/NNNN.png',
                    depth=f'depth/<class>/NNNN.{depth_format}',
                    splits='splits/{train,val,test}.txt'))


def generate_synthetic_3dpm(out_dir, num_per_class=20, size=64, seed=0, depth_format='png'):
    """Generate the synthetic 3DPM-like set under ``out_dir`` (see the module docstring).

    Each sample is rendered from a generator seeded with ``(seed, class index, index)``, so
    the files do not depend on how many samples or classes are made.

    Args:
        out_dir (str): Output folder (created if needed; files of the same names are replaced).
        num_per_class (int): Samples per class. Defaults to 20.
        size (int): Image side in pixels. Defaults to 64.
        seed (int): Seed of the set and of its splits. Defaults to 0.
        depth_format (str): 'png' (uint16, 0.1 mm), 'npy' or 'tif' (float32, same unit).
            Defaults to 'png'.

    Returns:
        dict: The content of ``meta.json``.
    """
    if depth_format not in DEPTH_FORMATS:
        raise ValueError(f'depth_format must be one of {DEPTH_FORMATS}, got {depth_format!r}')
    if num_per_class < 1 or size < 16:
        raise ValueError(f'need num_per_class >= 1 and size >= 16, got {num_per_class}, {size}')
    for label, cls in enumerate(CLASSES):
        for kind in ('reflectance', 'depth'):
            os.makedirs(osp.join(out_dir, kind, cls), exist_ok=True)
        for index in range(num_per_class):
            reflectance, depth = render_sample(
                np.random.default_rng([seed, label, index]), cls, size)
            name = f'{cls}/{index:04d}'
            cv2.imwrite(osp.join(out_dir, 'reflectance', name + '.png'), reflectance)
            _write_depth(osp.join(out_dir, 'depth', f'{name}.{depth_format}'), depth,
                         depth_format)
    write_3dpm_splits(out_dir, seed=seed, depth_suffix=f'.{depth_format}')
    meta = synthetic_3dpm_meta(num_per_class, size, seed, depth_format)
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=2)
    return meta
