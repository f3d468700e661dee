"""The pixel contrast head: InfoNCE over the positive and negative cell pairs (PixDepth, Eq. 2)."""
from typing import Optional

from mmengine.model import BaseModule
from torch import Tensor

from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from ..losses import check_chunk_size, pixcontrast_loss
from ..utils import PixelPairMasks, group_features


@register_module(PRETRAIN_MODELS)
class PixelContrastHead(BaseModule):
    """Pixel contrast loss of two views, symmetrised, per threshold group.

    Args:
        temperature (float): of the similarities. Defaults to 0.3.
        groups (int): channel groups, one per threshold pair; set by the algorithm from its
            thresholds. Defaults to 1.
        chunk_size (int, optional): view-1 cells per block of the loss: pair matrices of
            ``groups * B * chunk_size * H*W`` elements instead of ``groups * B * (H*W)^2``,
            each block recomputed in the backward pass; same result. Defaults to None.
    """

    def __init__(self, temperature: float = 0.3, groups: int = 1,
                 chunk_size: Optional[int] = None, init_cfg=None) -> None:
        super().__init__(init_cfg)
        if not temperature > 0:
            raise ValueError(f'PixelContrastHead: temperature must be > 0, got {temperature}')
        check_chunk_size(chunk_size)
        self.temperature = temperature
        self.groups = groups
        self.chunk_size = chunk_size

    def loss(self, online1: Tensor, online2: Tensor, target1: Tensor, target2: Tensor,
             masks: PixelPairMasks) -> Tensor:
        """[groups] losses, view 1 -> 2 plus view 2 -> 1.

        Args:
            online1, online2 (Tensor): [B, C, H, W] online projections of each view.
            target1, target2 (Tensor): [B, C, H, W] momentum-encoder projections.
            masks (PixelPairMasks): the pairs of view-1 and view-2 cells, ``groups`` groups.
        """
        q1, q2, k1, k2 = (group_features(x, self.groups)
                          for x in (online1, online2, target1, target2))
        masks12, masks21 = masks.directions(self.chunk_size)
        args = (self.temperature, self.chunk_size, self.groups, 'none')
        return pixcontrast_loss(q1, k2, *masks12, *args) + pixcontrast_loss(q2, k1, *masks21, *args)
