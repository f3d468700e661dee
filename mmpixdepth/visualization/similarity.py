"""Cosine-similarity maps of an encoder's last feature map (PixDepth paper, Fig. 5 and 7).

One feature vector, at a chosen point of the image, is compared with the vector of every cell
of the encoder's last feature map; a good pixel-level encoder gives a map that is high on the
object under the point and low elsewhere.
"""
import copy
import logging
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmengine.utils import import_modules_from_strings
from torch import nn

from mmpixdepth.engine import load_backbone_into
from .drawing import blend, colorize, draw_marker, gray, side_by_side, titled

#: checkpoint argument meaning a randomly initialised encoder
RANDOM = 'random'


def _models_registry(scope: str):
    if scope == 'mmseg':
        from mmseg.registry import MODELS
    elif scope == 'mmpretrain':
        from mmpretrain.registry import MODELS
    else:
        raise ValueError(f"default_scope {scope!r} of the config is not supported: the encoder "
                         "is built from mmpretrain's or mmseg's registry")
    return MODELS


def build_encoder(cfg: Config) -> nn.Module:
    """Build ``cfg.model.backbone`` in eval mode, with the registry of ``cfg.default_scope``.

    A ``Pretrained`` or ``PretrainedBackbone`` ``init_cfg`` (and mmseg's ``pretrained``) of
    the backbone is dropped: the weights come from the checkpoints given to the tools. Weights
    are left as constructed; call ``init_weights()`` for the config's random initialisation.
    """
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    scope = cfg.get('default_scope') or 'mmpretrain'
    models = _models_registry(scope)
    if 'model' not in cfg or 'backbone' not in cfg.model:
        raise KeyError(f'config {cfg.filename} has no model.backbone to build the encoder from')
    backbone_cfg = copy.deepcopy(cfg.model.backbone)
    backbone_cfg.pop('pretrained', None)
    init_cfg = backbone_cfg.get('init_cfg')
    if isinstance(init_cfg, dict) and init_cfg.get('type') in ('Pretrained', 'PretrainedBackbone'):
        backbone_cfg.pop('init_cfg')
    with DefaultScope.overwrite_default_scope(scope):
        encoder = models.build(backbone_cfg)
    encoder.eval()  # some backbones' train() does not return the module
    return encoder


def init_random(encoder: nn.Module, seed: int) -> None:
    """Give ``encoder`` the config's random initialisation (``init_weights``), seeded, without
    mmengine's per-parameter log lines."""
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        torch.manual_seed(seed)
        encoder.init_weights()
    finally:
        logger.setLevel(level)


def load_encoder(cfg: Config, checkpoint: str, seed: int = 0) -> nn.Module:
    """``cfg``'s encoder with the backbone weights of ``checkpoint``, or with the config's
    random initialisation (seeded with ``seed``) when ``checkpoint`` is :data:`RANDOM`."""
    encoder = build_encoder(cfg)
    if checkpoint == RANDOM:
        init_random(encoder, seed)
    else:
        load_backbone_into(encoder, checkpoint)
    return encoder


def encoder_features(encoder: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """The last feature map ``[B, C, Hf, Wf]`` of ``encoder`` for ``inputs`` ``[B, 3, H, W]``."""
    with torch.no_grad():
        outs = encoder(inputs)
    feat = outs[-1] if isinstance(outs, (tuple, list)) else outs
    if not isinstance(feat, torch.Tensor) or feat.dim() != 4:
        raise ValueError(f'{type(encoder).__name__} must return a [B, C, H, W] feature map '
                         '(or a tuple ending with one)')
    return feat


def output_stride(encoder: nn.Module, probe: int = 256) -> int:
    """Input pixels per cell of the encoder's last feature map, measured on a ``probe``-square
    zero input."""
    param = next(encoder.parameters(), None)
    device = param.device if param is not None else 'cpu'
    feat = encoder_features(encoder, torch.zeros(1, 3, probe, probe, device=device))
    return max(1, int(round(probe / feat.shape[-1])))


def preprocess(img: np.ndarray, size: int, preprocessor: Optional[dict]) -> torch.Tensor:
    """Resize a BGR uint8 image to ``size x size`` (bilinear) and normalise it like the config.

    Args:
        img: ``(H, W, 3)`` BGR uint8 image.
        size: side of the network input in pixels.
        preprocessor: the config's ``data_preprocessor`` (``mean``, ``std``, and ``to_rgb``
            (mmpretrain) or ``bgr_to_rgb`` (mmseg)); None: raw pixel values.

    Returns:
        torch.Tensor: float32 ``[1, 3, size, size]``.
    """
    preprocessor = preprocessor or {}
    resized = cv2.resize(img, (size, size), interpolation=cv2.INTER_LINEAR)
    if preprocessor.get('to_rgb') or preprocessor.get('bgr_to_rgb'):
        resized = resized[..., ::-1]
    x = resized.astype(np.float32)
    if preprocessor.get('mean') is not None:
        x = (x - np.asarray(preprocessor['mean'], np.float32)) / np.asarray(
            preprocessor['std'], np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]


def point_to_cell(x: float, y: float, img_hw: Tuple[int, int],
                  feat_hw: Tuple[int, int]) -> Tuple[int, int]:
    """Cell ``(row, col)`` of an ``Hf x Wf`` feature map that holds pixel ``(x, y)`` of an
    ``H x W`` image (pixel centres at ``+0.5``; the image is resized to the network input).

    Raises:
        ValueError: the point is outside the image.
    """
    height, width = img_hw
    if not (0 <= x < width and 0 <= y < height):
        raise ValueError(f'point ({x:g}, {y:g}) is outside the image of {width}x{height} pixels '
                         '(WxH); X must be in [0, W) and Y in [0, H)')
    rows, cols = feat_hw
    return (min(int((y + 0.5) / height * rows), rows - 1),
            min(int((x + 0.5) / width * cols), cols - 1))


def similarity_map(feat: torch.Tensor, cell: Tuple[int, int]) -> np.ndarray:
    """Cosine similarity of the feature vector at ``cell`` with every cell.

    Args:
        feat: ``[C, Hf, Wf]`` feature map.
        cell: ``(row, col)`` of the reference vector.

    Returns:
        np.ndarray: float32 ``(Hf, Wf)`` in [-1, 1] (1 at ``cell``); all NaN when the
        reference vector is zero.
    """
    feat = feat.detach().float().cpu()
    ref = feat[:, cell[0], cell[1]]
    if not ref.norm() > 0:
        return np.full(feat.shape[1:], np.nan, np.float32)
    sim = torch.einsum('c,chw->hw', F.normalize(ref, dim=0), F.normalize(feat, dim=0))
    return sim.clamp(-1, 1).numpy().astype(np.float32)


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
