"""One figure and one line of value ranges per dataset sample, to check converted data
(``tools/misc/browse_dataset.py``): the image, the depth map with invalid pixels marked and
the labels over the image. Images are BGR uint8."""
from typing import Optional, Sequence

import cv2
import numpy as np

from .drawing import blend, colorize, gray, side_by_side, titled

INVALID_COLOR = (255, 0, 255)  #: magenta (BGR), for invalid depth
IGNORE_COLOR = (0, 0, 0)  #: black, for ignored label pixels


def _to_height(img: np.ndarray, height: int, interpolation: int) -> np.ndarray:
    width = max(1, round(img.shape[1] * height / img.shape[0]))
    return cv2.resize(img, (width, height), interpolation=interpolation)


def label_colors(label: np.ndarray, palette: Optional[Sequence[Sequence[int]]] = None,
                 ignore_index: int = 255) -> np.ndarray:
    """Colour a label map with an RGB ``palette`` (index = class; fixed random colours for the
    indices it lacks); ignored pixels are black. Returns BGR uint8 ``(H, W, 3)``."""
    table = np.random.default_rng(0).integers(0, 256, (256, 3)).astype(np.uint8)
    if palette:
        table[:len(palette)] = np.asarray(palette, np.uint8)[:, ::-1]
    table[ignore_index] = IGNORE_COLOR
    return table[np.minimum(label, 255)]


def depth_summary(depth: np.ndarray) -> str:
    """``'min..max, N% invalid'`` of a depth map with NaN for invalid pixels."""
    valid = np.isfinite(depth)
    share = 100 * (1 - valid.mean())
    if not valid.any():
        return f'no valid pixel ({share:.1f}% invalid)'
    return f'{depth[valid].min():.4g}..{depth[valid].max():.4g}, {share:.1f}% invalid'


def label_summary(label: np.ndarray, classes: Optional[Sequence[str]], ignore_index: int = 255,
                  top: int = 4) -> str:
    """The most frequent classes with their share of pixels, and the ignored share."""
    ids, counts = np.unique(label, return_counts=True)
    shares = {int(i): 100 * c / label.size for i, c in zip(ids, counts)}
    ignored = shares.pop(ignore_index, 0.0)
    named = sorted(shares.items(), key=lambda item: -item[1])
    words = [f'{classes[i] if classes and i < len(classes) else i} {share:.0f}%'
             for i, share in named[:top]]
    return (f'{len(shares)} classes ({", ".join(words)}{", ..." if len(named) > top else ""}), '
            f'{ignored:.1f}% ignored')


def sample_figure(img: np.ndarray, depth: Optional[np.ndarray] = None,
                  label: Optional[np.ndarray] = None, palette: Optional[Sequence] = None,
                  classes: Optional[Sequence[str]] = None, title: str = '', height: int = 320,
                  ignore_index: int = 255) -> np.ndarray:
    """Panels side by side, each scaled to ``height`` rows: the image, the depth (viridis over
    its valid range, invalid pixels magenta) and the labels blended over the grey image
    (``palette`` colours, ignored pixels black).

    Args:
        img: BGR uint8 ``(H, W, 3)`` (a grey ``(H, W)`` image is drawn as grey).
        depth: float ``(H, W)`` with NaN where invalid.
        label: uint8 ``(H, W)`` class indices.
    """
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    panels = [titled(_to_height(img, height, cv2.INTER_AREA),
                     [title, f'image {img.shape[1]}x{img.shape[0]}'])]
    if depth is not None:
        valid = depth[np.isfinite(depth)]
        low, high = (float(valid.min()), float(valid.max())) if valid.size else (0.0, 1.0)
        picture = colorize(depth, low, high if high > low else low + 1, nan_color=INVALID_COLOR)
        panels.append(titled(_to_height(picture, height, cv2.INTER_NEAREST),
                             ['depth (invalid: magenta)', depth_summary(depth)]))
    if label is not None:
        colours = label_colors(label, palette, ignore_index)
        picture = np.where((label == ignore_index)[..., None], colours,
                           blend(gray(img), colours, 0.6))
        panels.append(titled(_to_height(picture, height, cv2.INTER_NEAREST),
                             ['labels (ignored: black)',
                              label_summary(label, classes, ignore_index, top=2)]))
    return side_by_side(panels)
