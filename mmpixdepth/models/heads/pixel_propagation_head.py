"""The pixel propagation head: PixPro's consistency loss between propagated online features and
the momentum encoder's projections, on positive cell pairs only."""
from typing import Optional

from mmengine.model import BaseModule
from torch import Tensor

from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from ..losses import check_chunk_size, pixpro_consistency_loss
from ..utils import PixelPairMasks, group_features


@register_module(PRETRAIN_MODELS)
class PixelPropagationHead(BaseModule):
    """PixPro's pixel propagation module on the online projections, then the consistency loss,
    symmetrised, per threshold group.

    Args:
        ppm (dict): the pixel propagation module (:class:`PixelPropagation`); its ``groups``
            is the head's.
        groups (int): channel groups, one per threshold pair; set by the algorithm from its
            thresholds. Defaults to 1.
        chunk_size (int, optional): view-1 cells per block of the loss (see
            :class:`PixelContrastHead`). Defaults to None.
    """

    def __init__(self, ppm: dict, groups: int = 1, chunk_size: Optional[int] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg)
        check_chunk_size(chunk_size)
        ppm = dict(ppm)
        if ppm.setdefault('groups', groups) != groups:
            raise ValueError(f"PixelPropagationHead: ppm.groups={ppm['groups']} but the "
                             f'thresholds make {groups} channel groups; leave ppm.groups unset')
        self.ppm = PRETRAIN_MODELS.build(ppm)
        self.groups = groups
        self.chunk_size = chunk_size

    def loss(self, online1: Tensor, online2: Tensor, target1: Tensor, target2: Tensor,
             masks: PixelPairMasks) -> Tensor:
        """[groups] losses, view 1 -> 2 plus view 2 -> 1; arguments as
        :meth:`PixelContrastHead.loss`."""
        y1, y2, k1, k2 = (group_features(x, self.groups)
                          for x in (self.ppm(online1), self.ppm(online2), target1, target2))
        (pos12, _), (pos21, _) = masks.directions(self.chunk_size)
        args = (self.chunk_size, self.groups, 'none')
        return (pixpro_consistency_loss(y1, k2, pos12, *args)
                + pixpro_consistency_loss(y2, k1, pos21, *args))
