"""The encoder of a config (its ``model.backbone``) on its own: built, loaded and fed images.

Used by the frozen-encoder probes, the similarity maps and the transfer benchmark.
"""
import copy
import logging
from typing import Optional

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmengine.utils import import_modules_from_strings
from torch import nn

from mmpixdepth.engine import load_backbone_into

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


def config_preprocessor(cfg: Config) -> Optional[dict]:
    """The ``data_preprocessor`` of ``cfg`` (the model's, else the top-level one) that
    :func:`preprocess` takes; None when the config has none."""
    return cfg.model.get('data_preprocessor') or cfg.get('data_preprocessor')


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
