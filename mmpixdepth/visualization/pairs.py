"""Which cells of view 2 are positives of one cell of view 1, under PixPro and PixDepth.

PixPro pairs cells whose centres are close in the original image (distance < T); PixDepth
also needs them to be close in depth (difference <= T'). The figure shows both for one chosen
cell and each threshold group (T, T') of a config, on two views made by the config's
``PixProViews`` without colour augmentation
(:mod:`mmpixdepth.datasets.view_pairs` makes the views and finds the pairs).
"""
from typing import Sequence, Tuple

import cv2
import numpy as np
import torch

from mmpixdepth.datasets.view_pairs import cell_index, cell_pairs
from mmpixdepth.models.utils import cell_centers
from .drawing import (NAN_COLOR, blend, colorbar, colorize, draw_marker, fit_in_square,
                      put_text, side_by_side, stacked, titled)

VIEW_COLORS = ((255, 200, 0), (0, 140, 255))  #: BGR box colours of view 1 (blue), view 2 (orange)
CHOSEN_COLOR = (0, 255, 255)  #: yellow
POSITIVE_COLOR = (0, 220, 0)  #: green
DEPTH_NEGATIVE_COLOR = (0, 0, 255)  #: red: close in the image, far in depth
MIN_TEXT_CELL_PX = 30  #: per-cell values are written on cells at least this wide


def crop_box(coord: Sequence[float], img_hw: Tuple[int, int]) -> Tuple[int, int, int, int, bool]:
    """Pixel box ``(x0, y0, x1, y1, flipped)`` (``x1``, ``y1`` exclusive) of a view's
    ``[x_ul, y_ul, x_lr, y_lr]`` in an ``H x W`` image."""
    height, width = img_hw
    x_ul, y_ul, x_lr, y_lr = (float(v) for v in coord)
    x0, x1 = sorted((x_ul, x_lr))
    return (int(round(x0 * (width - 1))), int(round(y_ul * (height - 1))),
            int(round(x1 * (width - 1))) + 1, int(round(y_lr * (height - 1))) + 1, x_ul > x_lr)


def _grid(panel: np.ndarray, feat_hw: Tuple[int, int], color=(40, 40, 40)) -> None:
    size = panel.shape[0]
    for k in range(1, feat_hw[0]):
        y = round(k * size / feat_hw[0])
        cv2.line(panel, (0, y), (size - 1, y), color, 1)
    for k in range(1, feat_hw[1]):
        x = round(k * size / feat_hw[1])
        cv2.line(panel, (x, 0), (x, size - 1), color, 1)


def _cell_rect(cell: Tuple[int, int], feat_hw: Tuple[int, int], size: int):
    r, c = cell
    return ((round(c * size / feat_hw[1]), round(r * size / feat_hw[0])),
            (round((c + 1) * size / feat_hw[1]) - 1, round((r + 1) * size / feat_hw[0]) - 1))


def _tint_cells(panel: np.ndarray, mask: np.ndarray, color, alpha: float = 0.5) -> np.ndarray:
    """``panel`` with the cells where ``mask`` (``(Hf, Wf)`` bool) is set blended with
    ``color``."""
    size = panel.shape[0]
    full = cv2.resize(mask.astype(np.uint8), (size, size), interpolation=cv2.INTER_NEAREST) > 0
    solid = np.empty_like(panel)
    solid[:] = color
    out = panel.copy()
    out[full] = blend(panel, solid, alpha)[full]
    return out


def _outline_cells(panel: np.ndarray, mask: np.ndarray, color, thickness: int = 2) -> None:
    feat_hw = mask.shape
    for r, c in zip(*np.nonzero(mask)):
        cv2.rectangle(panel, *_cell_rect((r, c), feat_hw, panel.shape[0]), color, thickness)


def _mark_cells(panel: np.ndarray, mask: np.ndarray, color) -> np.ndarray:
    """``panel`` with the cells where ``mask`` is set tinted and outlined in ``color``."""
    out = _tint_cells(panel, mask, color, 0.55)
    _outline_cells(out, mask, color)
    return out


def _write_cell_values(panel: np.ndarray, values: np.ndarray) -> None:
    """Write each cell's value (``--`` for NaN) when cells are large enough to hold it."""
    feat_hw = values.shape
    if panel.shape[0] / feat_hw[1] < MIN_TEXT_CELL_PX:
        return
    for r in range(feat_hw[0]):
        for c in range(feat_hw[1]):
            (x0, y0), (_, y1) = _cell_rect((r, c), feat_hw, panel.shape[0])
            text = '--' if np.isnan(values[r, c]) else f'{values[r, c]:.2f}'
            put_text(panel, text, (x0 + 3, (y0 + y1) // 2 + 4), 0.38)


def _depth_cells_panel(depth: np.ndarray, size: int) -> np.ndarray:
    panel = colorize(cv2.resize(depth, (size, size), interpolation=cv2.INTER_NEAREST), 0.0, 1.0)
    _grid(panel, depth.shape)
    _write_cell_values(panel, depth)
    return panel


def _view_panel(view: np.ndarray, feat_hw: Tuple[int, int], size: int) -> np.ndarray:
    panel = cv2.resize(view, (size, size), interpolation=cv2.INTER_LINEAR)
    _grid(panel, feat_hw)
    return panel


def _original_panel(img: np.ndarray, coord: torch.Tensor, cell: Tuple[int, int],
                    feat_hw: Tuple[int, int], names: Sequence[str], size: int) -> np.ndarray:
    """The image with the boxes of both views and the region of ``cell`` of view 1."""
    panel, scale = fit_in_square(img, size)
    boxes = [crop_box(coord[k].tolist(), img.shape[:2]) for k in range(2)]
    for (x0, y0, x1, y1, _), color in zip(boxes, VIEW_COLORS):
        cv2.rectangle(panel, (round(x0 * scale), round(y0 * scale)),
                      (round(x1 * scale) - 1, round(y1 * scale) - 1), color, 2)
    # view 1 named inside its top-left corner, view 2 inside its bottom-left corner
    for k, (x0, y0, x1, y1, _) in enumerate(boxes):
        label_y = round(y0 * scale) + 14 if k == 0 else round(y1 * scale) - 6
        put_text(panel, names[k], (round(x0 * scale) + 4, label_y), 0.45, VIEW_COLORS[k])
    # cell c of a flipped view covers what cell Wf-1-c of the unflipped view covers
    x0, y0, x1, y1, flipped = boxes[0]
    col = feat_hw[1] - 1 - cell[1] if flipped else cell[1]
    cell_w, cell_h = (x1 - x0) / feat_hw[1], (y1 - y0) / feat_hw[0]
    left, top = x0 + col * cell_w, y0 + cell[0] * cell_h
    cv2.rectangle(panel, (round(left * scale), round(top * scale)),
                  (round((left + cell_w) * scale) - 1, round((top + cell_h) * scale) - 1),
                  CHOSEN_COLOR, 2)
    height, width = img.shape[:2]
    return titled(panel, ['original image', f'{width}x{height}, yellow: cell ({cell[0]}, '
                          f'{cell[1]}) of view 1', 'blue: view 1, orange: view 2'], 3)


def _grid_rows(rows: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """Rows of panels, each row padded at the bottom to its tallest panel, stacked."""
    return np.concatenate([side_by_side(row, pad=True) for row in rows], axis=0)


def pairs_figure(img: np.ndarray, views: Sequence[np.ndarray], coord: torch.Tensor,
                 depth_cells: torch.Tensor, cell: Tuple[int, int],
                 groups: Sequence[Tuple[float, float]], size: int = 288,
                 source: str = '') -> np.ndarray:
    """A 2-line figure title, then two rows of panels. Top: the image with both crops, view 1 with
    the chosen cell, and per threshold group view 2 with PixPro's positives. Bottom: the
    per-cell depth of view 1 and of view 2 (over a colour bar), and per group view 2 with
    PixDepth's positives and negatives.

    Args:
        img: ``(H, W, 3)`` BGR uint8 original image.
        views: the 2 BGR uint8 views (square, colours unchanged).
        coord: ``[2, 4]`` boxes of the views; depth_cells: ``[2, Hf, Wf]`` in [0, 1].
        cell: ``(row, col)`` of view 1.
        groups: ``(T, T')`` of each threshold group, as :func:`cell_pairs` takes them.
        size: side of each panel in pixels.
        source: where the thresholds come from, written in the figure title.

    Returns:
        np.ndarray: BGR uint8 ``(2 title lines + 2 * (size + 3 title lines) + COLORBAR_PX,
        (2 + len(groups)) * size)``.
    """
    feat_hw = tuple(depth_cells.shape[1:])
    depth = depth_cells.numpy()
    flips = [float(coord[k, 0]) > float(coord[k, 2]) for k in range(2)]
    names = [f'view {k + 1}' + (' (flipped)' if flips[k] else '') for k in range(2)]
    chosen = np.zeros(feat_hw, bool)
    chosen[cell] = True

    # view 1 with the chosen cell, and the per-cell depth of both views
    view1 = _mark_cells(_view_panel(views[0], feat_hw, size), chosen, CHOSEN_COLOR)
    d_chosen = depth[0][cell]
    d_text = 'unknown' if np.isnan(d_chosen) else f'{d_chosen:.2f}'
    depth1 = _depth_cells_panel(depth[0], size)
    _outline_cells(depth1, chosen, CHOSEN_COLOR)

    # where the centre of the chosen cell falls in view 2
    centre = cell_centers(coord[0:1].double(), feat_hw)[0][0, cell_index(cell, feat_hw)]
    x_ul, y_ul, x_lr, y_lr = (float(v) for v in coord[1])
    centre_in_2 = ((float(centre[0]) - x_ul) / (x_lr - x_ul) * size if x_lr != x_ul else -1,
                   (float(centre[1]) - y_ul) / (y_lr - y_ul) * size if y_lr != y_ul else -1)
    inside = all(0 <= v < size for v in centre_in_2)

    def with_centre(panel: np.ndarray) -> np.ndarray:
        if inside:
            draw_marker(panel, *centre_in_2, color=CHOSEN_COLOR, radius=5)
        return panel

    depth2 = with_centre(_depth_cells_panel(depth[1], size))
    top = [_original_panel(img, coord, cell, feat_hw, names, size),
           titled(view1, [names[0], f'cell ({cell[0]}, {cell[1]}), depth {d_text}'], 3)]
    bottom = [stacked([titled(depth1, [f'{names[0]}: cell depth', 'normalised per image, '
                                       'yellow box: chosen cell', 'grey / --: unknown'], 3),
                       colorbar(size, ['0', '0.5', '1'])]),
              stacked([titled(depth2, [f'{names[1]}: cell depth', 'normalised per image',
                                       'marker: centre of the chosen cell'], 3),
                       colorbar(size, ['0', '0.5', '1'])])]
    view2 = _view_panel(views[1], feat_hw, size)
    for dist_thr, depth_thr in groups:
        pairs = cell_pairs(coord, depth_cells, cell, dist_thr, depth_thr)
        close_neg = pairs['pixpro_pos'] & pairs['pixdepth_neg']
        unknown = pairs['pixpro_pos'] & ~pairs['pixdepth_pos'] & ~pairs['pixdepth_neg']
        pixpro = with_centre(_mark_cells(view2, pairs['pixpro_pos'], POSITIVE_COLOR))
        pixdepth = _mark_cells(view2, pairs['pixdepth_pos'], POSITIVE_COLOR)
        pixdepth = _mark_cells(pixdepth, close_neg, DEPTH_NEGATIVE_COLOR)
        pixdepth = with_centre(_mark_cells(pixdepth, unknown, NAN_COLOR))
        top.append(titled(pixpro, [f'{names[1]}: PixPro, T={dist_thr:g}',
                                   f'positives (green): {int(pairs["pixpro_pos"].sum())}',
                                   'marker: centre of the chosen cell'], 3))
        bottom.append(titled(pixdepth, [f"{names[1]}: PixDepth, T={dist_thr:g}, "
                                        f"T'={depth_thr:g}",
                                        f'positives (green): {int(pairs["pixdepth_pos"].sum())}',
                                        f'red: close, other depth ({int(close_neg.sum())}); '
                                        f'grey: unknown ({int(unknown.sum())})'], 3))
    thresholds = ', '.join(f'({t:g}, {d:g})' for t, d in groups)
    return titled(_grid_rows([top, bottom]),
                  [f'positives in view 2 of cell ({cell[0]}, {cell[1]}) of view 1: top PixPro, '
                   'bottom PixDepth, one column per threshold group',
                   f"threshold groups (T, T'): {thresholds}" + (f'; {source}' if source else '')])
