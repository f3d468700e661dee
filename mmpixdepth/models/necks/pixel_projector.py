import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule

from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from .pointwise import pointwise


@register_module(PRETRAIN_MODELS)
class PixelProjector(BaseModule):
    """Per-pixel MLP on a feature map: conv1x1 -> norm -> ReLU -> conv1x1.

    Args:
        in_channels (int): channels of the backbone map (512 for ResNet-18/34, 2048 for -50).
        hid_channels (int): hidden width. Defaults to 4096.
        out_channels (int): projection width. Defaults to 256.
        norm_cfg (dict): normalisation layer. Defaults to ``dict(type='SyncBN')``.
    """

    def __init__(self, in_channels, hid_channels=4096, out_channels=256,
                 norm_cfg=dict(type='SyncBN'), init_cfg=None):
        super().__init__(init_cfg)
        self.mlp = nn.Sequential(
            nn.Conv2d(in_channels, hid_channels, 1),
            build_norm_layer(norm_cfg, hid_channels)[1],
            nn.ReLU(inplace=True),
            nn.Conv2d(hid_channels, out_channels, 1))

    def forward(self, inputs):
        """Project the last map of ``inputs`` (a tuple of [B, C, H, W]) to [B, out, H, W]."""
        x = inputs[-1] if isinstance(inputs, (tuple, list)) else inputs
        return pointwise(self.mlp, x)
