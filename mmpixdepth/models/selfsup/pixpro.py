"""PixPro (Xie et al., CVPR 2021): pixel-level pretraining on cell pairs close in the image."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmpretrain.models import BaseSelfSupervisor, CosineEMA
from mmpretrain.structures import DataSample

from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from ..utils import PixelPairMasks, feature_spread, threshold_groups
from ..utils.pixel_masks import Thresholds


@register_module(PRETRAIN_MODELS)
class PixPro(BaseSelfSupervisor):
    """PixPro: two views of an image through the online encoder (backbone -> pixel projector)
    and the momentum encoder (an EMA of both); the head compares the online features of each
    cell with the momentum features of the cells of the other view closer than ``dist_thr``
    feature-bin diagonals in the original image.

    With several thresholds the projected channels are split into as many equal groups, each
    an independent feature vector with its own threshold; the group losses are averaged.

    Args:
        backbone (dict): backbone giving a C5 map as its last output.
        neck (dict): pixel projector (:class:`PixelProjector`).
        head (dict): the pixel loss: :class:`PixelPropagationHead` (PixPro's) or
            :class:`PixelContrastHead`; its ``groups`` is set from the thresholds.
        dist_thr (float | list[float]): spatial thresholds T. Defaults to 0.7.
        depth_thr: must be None (for configs that inherit a PixDepth config); depth-aware pairs
            are :class:`PixDepth`'s.
        base_momentum (float): ``1 - m`` at the start of the cosine momentum ramp (m goes from
            ``1 - base_momentum`` to 1 over training). Defaults to 0.01.
        instance_neck (dict, optional): projector of the BYOL-style instance branch.
        instance_head (dict, optional): predictor head of the instance branch.
        instance_weight (float): weight of the instance loss. Defaults to 0 (branch off).
    """

    #: whether ``depth_thr`` may be set (:class:`PixDepth`)
    takes_depth = False

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 dist_thr: Thresholds = 0.7,
                 depth_thr: Thresholds = None,
                 base_momentum: float = 0.01,
                 instance_neck: Optional[dict] = None,
                 instance_head: Optional[dict] = None,
                 instance_weight: float = 0.,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        if depth_thr is not None and not self.takes_depth:
            raise ValueError(f'{type(self).__name__} takes no depth_thr; use PixDepth for '
                             'depth-aware pairs')
        if instance_weight > 0 and (instance_neck is None or instance_head is None):
            raise ValueError('instance_weight > 0 needs instance_neck and instance_head')
        self.groups = threshold_groups(dist_thr, depth_thr)
        head = dict(head)
        if head.setdefault('groups', len(self.groups)) != len(self.groups):
            raise ValueError(f"head.groups={head['groups']} but the thresholds make "
                             f'{len(self.groups)} channel groups; leave head.groups unset')
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.instance_weight = instance_weight
        if instance_weight > 0:
            self.instance_neck = PRETRAIN_MODELS.build(instance_neck)
            self.instance_head = PRETRAIN_MODELS.build(instance_head)
        else:
            self.instance_neck = self.instance_head = None
        self.target_net = CosineEMA(self._momentum_source(), momentum=base_momentum)

    @property
    def uses_depth(self) -> bool:
        """Whether the pairs must also be close in depth (:class:`PixDepth` with ``depth_thr``)."""
        return self.groups[0][1] is not None

    def _momentum_source(self) -> nn.ModuleDict:
        """The online modules the momentum encoder averages (a view, not a registered child)."""
        modules = dict(backbone=self.backbone, neck=self.neck)
        if self.instance_neck is not None:
            modules['instance_neck'] = self.instance_neck
        return nn.ModuleDict(modules)

    def pair_masks(self, coord: torch.Tensor, depth: torch.Tensor, feat_hw) -> PixelPairMasks:
        """The cell pairs of view 1 and view 2 for every threshold group.

        Args:
            coord (Tensor): [B, 2, 4] view boxes in the original image.
            depth (Tensor): [B, 2, H, W] per-cell depth in [0, 1], NaN unknown (unused here).
            feat_hw (tuple): the feature map size (H, W).
        """
        dist_thr = [dist for dist, _ in self.groups]
        return PixelPairMasks(coord[:, 0], coord[:, 1], feat_hw, dist_thr)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Losses of a batch of view pairs.

        Args:
            inputs (list[Tensor]): the two views, each [B, 3, H, W].
            data_samples (list[DataSample]): with ``coord`` [2, 4] and ``depth_cells``
                [2, h, w] per sample (made by ``PixProViews``).

        Returns:
            dict: ``loss_pixel`` (and ``loss_instance`` with the instance branch), plus
            ``proj_spread``, the :func:`feature_spread` of the online projections of view 1
            (logged, not a loss: near 0 when the projections collapse).
        """
        img1, img2 = inputs
        coord = torch.stack([s.coord for s in data_samples]).float()
        depth = torch.stack([s.depth_cells for s in data_samples]).float()

        c5_1, c5_2 = self.backbone(img1), self.backbone(img2)
        proj1, proj2 = self.neck(c5_1), self.neck(c5_2)
        masks = self.pair_masks(coord, depth, tuple(proj1.shape[-2:]))
        with torch.no_grad():
            self.target_net.update_parameters(self._momentum_source())
            target = self.target_net.module
            t5_1, t5_2 = target.backbone(img1), target.backbone(img2)
            target1, target2 = target.neck(t5_1), target.neck(t5_2)

        group_losses = self.head.loss(proj1, proj2, target1, target2, masks)
        losses = dict(loss_pixel=group_losses.mean(), proj_spread=feature_spread(proj1))

        if self.instance_neck is not None:
            inst1, inst2 = self.instance_neck(c5_1)[0], self.instance_neck(c5_2)[0]
            with torch.no_grad():
                inst_t1 = target.instance_neck(t5_1)[0]
                inst_t2 = target.instance_neck(t5_2)[0]
            loss_inst = (self.instance_head.loss(inst1, inst_t2)
                         + self.instance_head.loss(inst2, inst_t1))
            losses['loss_instance'] = self.instance_weight * loss_inst
        return losses
