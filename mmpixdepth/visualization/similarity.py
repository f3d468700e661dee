"""Cosine-similarity maps drawn as heat maps over the image, one panel per encoder
(:mod:`mmpixdepth.analysis.similarity_maps` computes the maps)."""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .drawing import (blend, colorbar, colorize, draw_marker, gray, side_by_side, stacked,
                      titled)


def heatmap_panel(img: np.ndarray, sim: np.ndarray, point: Tuple[float, float],
                  vmin: float = 0.0, alpha: float = 0.6) -> np.ndarray:
    """A similarity map upsampled (bilinear) over a grey copy of ``img``, point marked.

    Args:
        img: ``(S, S, 3)`` BGR uint8 network input (resized image).
        sim: ``(Hf, Wf)`` similarity map; colours go from ``vmin`` (blue) to 1 (red), lower
            values shown as ``vmin``, NaN grey.
        point: ``(x, y)`` in pixels of ``img``.
        vmin: similarity drawn blue (below 1).
        alpha: weight of the heat map over the image.

    Returns:
        np.ndarray: ``(S, S, 3)`` BGR uint8.
    """
    size_hw = img.shape[:2]
    up = cv2.resize(sim, (size_hw[1], size_hw[0]), interpolation=cv2.INTER_LINEAR)
    panel = blend(gray(img), colorize(up, vmin, 1.0, cv2.COLORMAP_JET), alpha)
    draw_marker(panel, *point)
    return panel


def color_ranges(sims: Sequence[np.ndarray], fixed_range: bool = False,
                 per_map: bool = False) -> List[Tuple[float, float]]:
    """The ``(vmin, 1)`` colour range of each similarity map: by default one shared by all
    maps, from their lowest value; ``fixed_range``: 0 to 1 for every map; ``per_map``: each map
    from its own lowest value. A range whose lowest value is 1 (or unknown) starts at 0."""
    if fixed_range and per_map:
        raise ValueError('fixed_range and per_map are exclusive')
    lows = [float(np.nanmin(sim)) if not np.isnan(sim).all() else 1.0 for sim in sims]
    if not per_map:
        lows = [0.0 if fixed_range else min(lows, default=1.0)] * len(sims)
    return [(low if low < 1.0 else 0.0, 1.0) for low in lows]


def similarity_figure(img: np.ndarray, point: Tuple[float, float], size: int,
                      sims: Sequence[np.ndarray], labels: Sequence[str],
                      depth: Optional[np.ndarray] = None, fixed_range: bool = False,
                      per_map: bool = False) -> np.ndarray:
    """The whole figure: image with the point, depth (optional) over a colour bar, one heat
    map per encoder over a colour bar of its range (:func:`color_ranges`; by default the same
    for all maps, so that they compare).

    Args:
        img: ``(H, W, 3)`` BGR uint8 original image.
        point: ``(x, y)`` in pixels of the original image.
        size: side of each panel in pixels (the network input size).
        sims: ``(Hf, Wf)`` similarity maps, one per encoder.
        labels: titles of the heat maps.
        depth: ``(H, W)`` depth in [0, 1], NaN where unknown.
        fixed_range, per_map: see :func:`color_ranges`.

    Returns:
        np.ndarray: BGR uint8 image ``(size + 2 title lines + COLORBAR_PX, size * panels)``.
    """
    if len(sims) != len(labels):
        raise ValueError(f'{len(sims)} similarity maps but {len(labels)} labels')
    height, width = img.shape[:2]
    resized = cv2.resize(img, (size, size), interpolation=cv2.INTER_LINEAR)
    pt = ((point[0] + 0.5) * size / width - 0.5, (point[1] + 0.5) * size / height - 0.5)
    image_panel = resized.copy()
    draw_marker(image_panel, *pt)
    panels = [titled(image_panel, ['image', f'point ({point[0]:g}, {point[1]:g})'])]
    if depth is not None:
        depth_panel = colorize(
            cv2.resize(depth, (size, size), interpolation=cv2.INTER_NEAREST), 0.0, 1.0)
        draw_marker(depth_panel, *pt)
        panels.append(stacked([
            titled(depth_panel, ['depth, normalised per image', 'grey: missing']),
            colorbar(size, ['0', '0.5', '1'])]))
    scale = ('fixed scale' if fixed_range else 'own scale' if per_map or len(sims) == 1 else
             'one scale for all maps')
    for sim, label, (vmin, vmax) in zip(sims, labels, color_ranges(sims, fixed_range, per_map)):
        stats = ('zero feature at the point' if np.isnan(sim).all() else
                 f'min {float(np.nanmin(sim)):.2f}; colours: {scale}')
        panels.append(stacked([
            titled(heatmap_panel(resized, sim, pt, vmin), [label, stats]),
            colorbar(size, [f'{vmin:.2f}', f'{(vmin + vmax) / 2:.2f}', '1.00 cos sim'],
                     cv2.COLORMAP_JET)]))
    return side_by_side(panels, pad=True)
