import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule

from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from .pointwise import pointwise


@register_module(PRETRAIN_MODELS)
class PixelPropagation(BaseModule):
    """PixPro's pixel propagation module (online branch only), per channel group.

    ``y_i = sum_j s_ij g(x_j)`` over all cells of the same view, with
    ``s_ij = max(cos(x_i, x_j), 0) ** gamma`` and ``g(x)`` L2-normalised over the channels
    (as in PixPro's official code). With ``groups > 1`` the channels form that many equal
    groups, each an independent feature vector: ``g`` is a grouped 1x1 convolution and the
    cosines, the normalisation of ``g(x)`` and the sum use one group's channels only. The
    similarities and the sum are computed in float32 (safe under AMP). The output is not
    normalised: the algorithm normalises it per group.

    Args:
        channels (int): feature width. Defaults to 256.
        gamma (float): sharpness of the similarity. Defaults to 2.
        num_layers (int): ``g`` is a 1x1 conv (1) or conv-BN-ReLU-conv (2). Defaults to 1.
        groups (int): independent channel groups (the algorithm's threshold groups).
            Defaults to 1.
        norm_cfg (dict): normalisation of the 2-layer ``g``. Defaults to ``dict(type='SyncBN')``.
    """

    def __init__(self, channels=256, gamma=2.0, num_layers=1, groups=1,
                 norm_cfg=dict(type='SyncBN'), init_cfg=None):
        super().__init__(init_cfg)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1 \
                or channels % groups:
            raise ValueError(f'PixelPropagation: groups must be a positive int dividing '
                             f'channels={channels}, got {groups!r}')
        if num_layers == 1:
            self.transform = nn.Conv2d(channels, channels, 1, groups=groups)
        elif num_layers == 2:
            self.transform = nn.Sequential(
                nn.Conv2d(channels, channels, 1, groups=groups),
                build_norm_layer(norm_cfg, channels)[1],  # per channel: mixes no groups
                nn.ReLU(inplace=True),
                nn.Conv2d(channels, channels, 1, groups=groups))
        else:
            raise ValueError(f'PixelPropagation: num_layers must be 1 or 2, got {num_layers}')
        self.gamma = gamma
        self.groups = groups

    def forward(self, x):
        """Propagate [B, C, H, W] features; returns [B, C, H, W] (float32)."""
        b, c, h, w = x.shape
        n = self.groups
        value = pointwise(self.transform, x).float().reshape(b * n, c // n, h * w)
        with torch.autocast(device_type=x.device.type, enabled=False):
            value = F.normalize(value, dim=1)                                  # g(x_j)
            unit = F.normalize(x.float().reshape(b * n, c // n, h * w), dim=1)
            sim = torch.bmm(unit.transpose(1, 2), unit).clamp(min=0).pow(self.gamma)
            out = torch.bmm(value, sim.transpose(1, 2))  # [B*n, C/n, HW]: sum_j s_ij g(x_j)
        return out.view(b, c, h, w)
