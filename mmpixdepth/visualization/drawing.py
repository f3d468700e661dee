"""Small OpenCV drawing helpers for figures made of panels side by side: title strips, colour
bars and class keys.

Images are BGR uint8 ``(H, W, 3)`` arrays (OpenCV's convention); nothing here needs matplotlib.
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

Color = Tuple[int, int, int]

NAN_COLOR: Color = (128, 128, 128)  #: grey, for unknown values (NaN)
TITLE_LINE_PX = 20  #: height of one line of a panel title, in pixels
KEY_ROW_PX = 18  #: height of one row of a class key, in pixels
COLORBAR_PX = 36  #: height of a colour bar strip (bar and tick labels), in pixels
FONT = cv2.FONT_HERSHEY_SIMPLEX


def colorize(values: np.ndarray, vmin: float = 0.0, vmax: float = 1.0,
             colormap: int = cv2.COLORMAP_VIRIDIS, nan_color: Color = NAN_COLOR) -> np.ndarray:
    """Colour-map a float ``(H, W)`` array; values are clipped to ``[vmin, vmax]``.

    Returns:
        np.ndarray: ``(H, W, 3)`` BGR uint8, ``nan_color`` where ``values`` is NaN.
    """
    values = np.asarray(values, dtype=np.float64)
    if not vmax > vmin:
        raise ValueError(f'vmax must be greater than vmin, got vmin={vmin}, vmax={vmax}')
    unknown = np.isnan(values)
    scaled = np.clip((np.where(unknown, vmin, values) - vmin) / (vmax - vmin), 0, 1)
    out = cv2.applyColorMap(np.round(scaled * 255).astype(np.uint8), colormap)
    out[unknown] = nan_color
    return out


def blend(base: np.ndarray, top: np.ndarray, alpha: float) -> np.ndarray:
    """``alpha * top + (1 - alpha) * base`` for two images of the same shape (uint8)."""
    return cv2.addWeighted(top, alpha, base, 1.0 - alpha, 0.0)


def gray(img: np.ndarray) -> np.ndarray:
    """A BGR image turned grey, still 3 channels."""
    return cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def fit_in_square(img: np.ndarray, size: int,
                  pad_color: Color = (32, 32, 32)) -> Tuple[np.ndarray, float]:
    """Resize ``img`` (bilinear, aspect kept) to fit a ``size x size`` panel, top-left aligned.

    Returns:
        tuple: the ``(size, size, 3)`` panel and the scale (panel pixels per image pixel).
    """
    height, width = img.shape[:2]
    scale = size / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    panel = np.empty((size, size, 3), np.uint8)
    panel[:] = pad_color
    panel[:new_h, :new_w] = cv2.resize(img, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    return panel, scale


def draw_marker(img: np.ndarray, x: float, y: float, color: Color = (255, 255, 255),
                radius: int = 7) -> None:
    """Draw a circled cross centred at pixel ``(x, y)`` in place, outlined in black."""
    centre = (int(round(x)), int(round(y)))
    for thickness, col in ((4, (0, 0, 0)), (2, color)):
        cv2.circle(img, centre, radius, col, thickness, cv2.LINE_AA)
        cv2.line(img, (centre[0] - 2 * radius, centre[1]), (centre[0] - radius, centre[1]), col,
                 thickness, cv2.LINE_AA)
        cv2.line(img, (centre[0] + radius, centre[1]), (centre[0] + 2 * radius, centre[1]), col,
                 thickness, cv2.LINE_AA)
        cv2.line(img, (centre[0], centre[1] - 2 * radius), (centre[0], centre[1] - radius), col,
                 thickness, cv2.LINE_AA)
        cv2.line(img, (centre[0], centre[1] + radius), (centre[0], centre[1] + 2 * radius), col,
                 thickness, cv2.LINE_AA)


def put_text(img: np.ndarray, text: str, org: Tuple[int, int], scale: float = 0.4,
             color: Color = (255, 255, 255)) -> None:
    """Write ``text`` with its baseline starting at ``org``, outlined in black for contrast."""
    for thickness, col in ((3, (0, 0, 0)), (1, color)):
        cv2.putText(img, text, org, FONT, scale, col, thickness, cv2.LINE_AA)


def text_scale(text: str, width: int, scale: float) -> float:
    """The font scale, at most ``scale``, at which ``text`` is at most ``width`` pixels wide."""
    text_w = cv2.getTextSize(text, FONT, scale, 1)[0][0]
    return scale * min(1.0, max(width, 1) / max(text_w, 1))


def titled(panel: np.ndarray, lines: Sequence[str], num_lines: Optional[int] = None) -> np.ndarray:
    """``panel`` under a black strip holding ``lines`` (one per row, shrunk to fit the width).

    Args:
        panel: ``(H, W, 3)`` image.
        lines: title lines.
        num_lines: rows of the strip (at least ``len(lines)``), so that panels with titles of
            different lengths keep the same height. Defaults to ``len(lines)``.

    Returns:
        np.ndarray: ``(H + num_lines * TITLE_LINE_PX, W, 3)`` image.
    """
    num_lines = len(lines) if num_lines is None else max(num_lines, len(lines))
    width = panel.shape[1]
    strip = np.zeros((num_lines * TITLE_LINE_PX, width, 3), np.uint8)
    for row, line in enumerate(lines):
        cv2.putText(strip, line, (4, (row + 1) * TITLE_LINE_PX - 6), FONT,
                    text_scale(line, width - 8, 0.5), (255, 255, 255), 1, cv2.LINE_AA)
    return np.concatenate([strip, panel], axis=0)


def colorbar(width: int, labels: Sequence[str],
             colormap: int = cv2.COLORMAP_VIRIDIS) -> np.ndarray:
    """A horizontal colour bar: ``colormap`` from its low end (left) to its high end (right),
    ``labels`` written under it at even steps (the first at the left end, the last at the right
    end, e.g. ``['0.2', '0.6', '1.0 mm']``), on black.

    Returns:
        np.ndarray: ``(COLORBAR_PX, width, 3)`` uint8.
    """
    strip = np.zeros((COLORBAR_PX, width, 3), np.uint8)
    x0, x1 = 4, max(width - 5, 5)
    ramp = np.linspace(0, 255, x1 - x0 + 1).round().astype(np.uint8)[None]
    strip[4:16, x0:x1 + 1] = cv2.applyColorMap(np.repeat(ramp, 12, axis=0), colormap)
    gaps = 8 * (len(labels) - 1)
    total = sum(cv2.getTextSize(text, FONT, 0.4, 1)[0][0] for text in labels)
    scale = 0.4 * min(1.0, (width - 8 - gaps) / max(total, 1))
    for k, text in enumerate(labels):
        x = round(x0 + (x1 - x0) * k / max(len(labels) - 1, 1))
        cv2.line(strip, (x, 16), (x, 19), (255, 255, 255), 1)
        text_w = cv2.getTextSize(text, FONT, scale, 1)[0][0]
        left = min(max(x - text_w // 2, 2), width - 2 - text_w)
        cv2.putText(strip, text, (left, 31), FONT, scale, (255, 255, 255), 1, cv2.LINE_AA)
    return strip


def class_key(entries: Sequence[Tuple[Color, str]], width: int) -> np.ndarray:
    """A colour key: for each ``(color, text)`` a swatch of ``color`` (outlined grey, so that
    black shows) and the text, flowing left to right in rows wrapped to ``width``; a text wider
    than a row is shrunk to fit. Colours are in the channel order of the image it goes with.

    Returns:
        np.ndarray: ``(rows * KEY_ROW_PX + 4, width, 3)`` uint8, black background.
    """
    placed, x, row = [], 4, 0
    for color, text in entries:
        scale = text_scale(text, width - 26, 0.4)
        entry_w = 18 + cv2.getTextSize(text, FONT, scale, 1)[0][0]
        if x > 4 and x + entry_w > width - 4:
            x, row = 4, row + 1
        placed.append((x, row, color, text, scale))
        x += entry_w + 12
    strip = np.zeros(((row + 1) * KEY_ROW_PX + 4, width, 3), np.uint8)
    for x, row, color, text, scale in placed:
        top = 4 + row * KEY_ROW_PX + 2
        cv2.rectangle(strip, (x, top), (x + 11, top + 11), tuple(int(c) for c in color), -1)
        cv2.rectangle(strip, (x, top), (x + 11, top + 11), (160, 160, 160), 1)
        cv2.putText(strip, text, (x + 18, top + 10), FONT, scale, (255, 255, 255), 1,
                    cv2.LINE_AA)
    return strip


def stacked(parts: Sequence[Optional[np.ndarray]]) -> np.ndarray:
    """The images of ``parts`` (None left out) one under the other; same widths."""
    return np.concatenate([part for part in parts if part is not None], axis=0)


def side_by_side(panels: Sequence[np.ndarray], pad: bool = False) -> np.ndarray:
    """Concatenate panels horizontally. They must have the same height, unless ``pad``: then
    shorter panels are padded at the bottom with black."""
    heights = {p.shape[0] for p in panels}
    if len(heights) != 1 and not pad:
        raise ValueError(f'panels must have the same height, got heights {sorted(heights)}')
    height = max(heights)
    return np.concatenate([np.pad(p, ((0, height - p.shape[0]), (0, 0), (0, 0)))
                           for p in panels], axis=1)
