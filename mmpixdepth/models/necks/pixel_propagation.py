import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule

from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from .pointwise import pointwise


@register_module(PRETRAIN_MODELS)
class PixelPropagation(BaseModule):
    """PixPro's pixel propagation module (online branch only).

    ``y_i = sum_j s_ij g(x_j)`` over all cells of the same view, with
    ``s_ij = max(cos(x_i, x_j), 0) ** gamma``. The similarities and the sum are computed in
    float32 (safe under AMP). The output is not normalised: the algorithm normalises it per
    channel group.

    Args:
        channels (int): feature width. Defaults to 256.
        gamma (float): sharpness of the similarity. Defaults to 2.
        num_layers (int): ``g`` is a 1x1 conv (1) or conv-BN-ReLU-conv (2). Defaults to 1.
        norm_cfg (dict): normalisation of the 2-layer ``g``. Defaults to ``dict(type='SyncBN')``.
    """

    def __init__(self, channels=256, gamma=2.0, num_layers=1, norm_cfg=dict(type='SyncBN'),
                 init_cfg=None):
        super().__init__(init_cfg)
        if num_layers == 1:
            self.transform = nn.Conv2d(channels, channels, 1)
        elif num_layers == 2:
            self.transform = nn.Sequential(
                nn.Conv2d(channels, channels, 1),
                build_norm_layer(norm_cfg, channels)[1],
                nn.ReLU(inplace=True),
                nn.Conv2d(channels, channels, 1))
        else:
            raise ValueError(f'PixelPropagation: num_layers must be 1 or 2, got {num_layers}')
        self.gamma = gamma

    def forward(self, x):
        """Propagate [B, C, H, W] features; returns [B, C, H, W] (float32)."""
        b, c, h, w = x.shape
        value = pointwise(self.transform, x).float().flatten(2)     # [B, C, HW]
        with torch.autocast(device_type=x.device.type, enabled=False):
            unit = F.normalize(x.float().flatten(2), dim=1)           # [B, C, HW]
            sim = torch.bmm(unit.transpose(1, 2), unit).clamp(min=0).pow(self.gamma)  # [B, HW, HW]
            out = torch.bmm(value, sim.transpose(1, 2))               # y_i = sum_j s_ij g(x_j)
        return out.view(b, c, h, w)
