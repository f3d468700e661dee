"""Cosine-similarity maps drawn as heat maps over the image, one panel per encoder
(:mod:`mmpixdepth.analysis.similarity_maps` computes the maps)."""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

from .drawing import blend, colorize, draw_marker, gray, side_by_side, titled


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


def similarity_figure(img: np.ndarray, point: Tuple[float, float], size: int,
                      sims: Sequence[np.ndarray], labels: Sequence[str],
                      depth: Optional[np.ndarray] = None, fixed_range: bool = False) -> np.ndarray:
    """The whole figure: image with the point, depth (optional), one heat map per encoder.

    Args:
        img: ``(H, W, 3)`` BGR uint8 original image.
        point: ``(x, y)`` in pixels of the original image.
        size: side of each panel in pixels (the network input size).
        sims: ``(Hf, Wf)`` similarity maps, one per encoder.
        labels: titles of the heat maps.
        depth: ``(H, W)`` depth in [0, 1], NaN where unknown.
        fixed_range: colour every map from 0 (blue) to 1 (red); by default each map goes from
            its own minimum (blue) to 1 (red).

    Returns:
        np.ndarray: BGR uint8 image ``(size + 2 title lines, size * panels)``.
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
        panels.append(titled(depth_panel, ['depth: 0 (dark) to 1 (yellow)', 'grey: missing']))
    for sim, label in zip(sims, labels):
        if np.isnan(sim).all():
            vmin, stats = 0.0, 'zero feature at the point'
        else:
            low = float(np.nanmin(sim))
            vmin = 0.0 if fixed_range or low >= 1.0 else low
            stats = f'cos sim {vmin:.2f} (blue) to 1 (red)'
            if vmin != low:
                stats += f', min {low:.2f}'
        panels.append(titled(heatmap_panel(resized, sim, pt, vmin), [label, stats]))
    return side_by_side(panels)
