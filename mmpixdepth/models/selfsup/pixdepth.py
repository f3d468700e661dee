from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models import BaseSelfSupervisor, CosineEMA
from mmpretrain.structures import DataSample

from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from ..losses import pixcontrast_loss, pixpro_consistency_loss
from ..utils import pixel_pair_masks

Thresholds = Union[float, Sequence[float], None]


def zip_thresholds(dist_thr: Thresholds, depth_thr: Thresholds):
    """Pair spatial and depth thresholds into channel groups ``[(T_k, T'_k), ...]``.

    A single value is shared by every group; two lists are zipped pairwise (not crossed) and
    must have the same length. ``depth_thr=None`` disables the depth test (PixPro).
    """
    dist = list(dist_thr) if isinstance(dist_thr, (list, tuple)) else [dist_thr]
    depth = list(depth_thr) if isinstance(depth_thr, (list, tuple)) else [depth_thr]
    if len(dist) > 1 and len(depth) > 1 and len(dist) != len(depth):
        raise ValueError(f'dist_thr {dist} and depth_thr {depth} are zipped into channel groups '
                         'and must have the same length (or one of them a single value)')
    n = max(len(dist), len(depth))
    dist, depth = dist * (n // len(dist)), depth * (n // len(depth))
    if None in depth and any(d is not None for d in depth):
        raise ValueError(f'depth_thr {depth}: either every group has a depth threshold or none')
    return list(zip(dist, depth))


@register_module(PRETRAIN_MODELS)
class PixDepth(BaseSelfSupervisor):
    """PixDepth: PixPro whose positive pixel pairs must also be close in depth.

    Two views of an image go through the online encoder (backbone -> pixel projector, plus the
    pixel propagation module for ``loss_type='propagation'``) and the momentum encoder (an EMA
    of backbone and projector). A cell pair (i of view 1, j of view 2) is positive when the
    cells are closer than ``dist_thr`` feature-bin diagonals in the original image and their
    depths differ by at most ``depth_thr`` (depth normalised to [0, 1]); see
    :func:`mmpixdepth.models.utils.pixel_pair_masks`. Depth only selects pairs: it is never an
    input of the network.

    With several thresholds the projected channels are split into as many equal groups, group k
    uses ``(dist_thr[k], depth_thr[k])`` and the group losses are averaged. With
    ``depth_thr=None`` the model is PixPro.

    Args:
        backbone (dict): backbone giving a C5 map as its last output.
        neck (dict): pixel projector (:class:`PixelProjector`).
        ppm (dict, optional): pixel propagation module, for ``loss_type='propagation'``.
        loss_type (str): 'propagation' (PixPro's consistency loss, positives only) or 'contrast'
            (PixContrast, InfoNCE with the pairs failing the tests as negatives).
        dist_thr (float | list[float]): spatial thresholds T. Defaults to 0.7.
        depth_thr (float | list[float], optional): depth thresholds T'. Defaults to None.
        tau (float): temperature of the 'contrast' loss. Defaults to 0.3.
        base_momentum (float): ``1 - m`` at the start of the cosine momentum ramp (m goes from
            ``1 - base_momentum`` to 1 over training). Defaults to 0.01.
        instance_neck (dict, optional): projector of the BYOL-style instance branch.
        instance_head (dict, optional): predictor head of the instance branch.
        instance_weight (float): weight of the instance loss. Defaults to 0 (branch off).
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 ppm: Optional[dict] = None,
                 loss_type: str = 'propagation',
                 dist_thr: Thresholds = 0.7,
                 depth_thr: Thresholds = None,
                 tau: float = 0.3,
                 base_momentum: float = 0.01,
                 instance_neck: Optional[dict] = None,
                 instance_head: Optional[dict] = None,
                 instance_weight: float = 0.,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        if loss_type not in ('propagation', 'contrast'):
            raise ValueError(f"loss_type must be 'propagation' or 'contrast', got {loss_type!r}")
        if loss_type == 'propagation' and ppm is None:
            raise ValueError("loss_type='propagation' needs a pixel propagation module (ppm)")
        if instance_weight > 0 and (instance_neck is None or instance_head is None):
            raise ValueError('instance_weight > 0 needs instance_neck and instance_head')
        super().__init__(backbone=backbone, neck=neck, head=instance_head, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.groups = zip_thresholds(dist_thr, depth_thr)
        self.loss_type = loss_type
        self.tau = tau
        self.instance_weight = instance_weight
        self.ppm = PRETRAIN_MODELS.build(ppm) if loss_type == 'propagation' else None
        self.instance_neck = PRETRAIN_MODELS.build(instance_neck) if instance_weight > 0 else None
        self.target_net = CosineEMA(self._momentum_source(), momentum=base_momentum)

    def _momentum_source(self) -> nn.ModuleDict:
        """The online modules the momentum encoder averages (a view, not a registered child)."""
        modules = dict(backbone=self.backbone, neck=self.neck)
        if self.instance_neck is not None:
            modules['instance_neck'] = self.instance_neck
        return nn.ModuleDict(modules)

    @property
    def uses_depth(self) -> bool:
        return self.groups[0][1] is not None

    def _group_features(self, x: torch.Tensor) -> List[torch.Tensor]:
        """Split [B, C, H, W] into L2-normalised [B, C/n, H*W] channel groups (float32)."""
        n = len(self.groups)
        if x.shape[1] % n:
            raise ValueError(f'{x.shape[1]} projected channels cannot be split into {n} '
                             'equal threshold groups')
        return [F.normalize(g.float().flatten(2), dim=1) for g in x.chunk(n, dim=1)]

    def pixel_loss(self, online1, online2, target1, target2, coord, depth):
        """Mean over threshold groups of the symmetrised pixel loss.

        Args:
            online1, online2 (Tensor): [B, C, H, W] online features of each view (propagated
                for 'propagation', projected for 'contrast').
            target1, target2 (Tensor): [B, C, H, W] momentum-encoder projections.
            coord (Tensor): [B, 2, 4] view boxes in the original image.
            depth (Tensor): [B, 2, H, W] per-cell depth in [0, 1], NaN unknown.
        """
        feat_hw = tuple(online1.shape[-2:])
        groups = zip(self.groups, self._group_features(online1), self._group_features(online2),
                     self._group_features(target1), self._group_features(target2))
        losses = []
        for (dist_thr, depth_thr), q1, q2, k1, k2 in groups:
            pos, neg = pixel_pair_masks(
                coord[:, 0], coord[:, 1], feat_hw, dist_thr,
                depth[:, 0] if self.uses_depth else None,
                depth[:, 1] if self.uses_depth else None, depth_thr)
            pos_t, neg_t = pos.transpose(1, 2), neg.transpose(1, 2)
            if self.loss_type == 'propagation':
                loss = pixpro_consistency_loss(q1, k2, pos) + pixpro_consistency_loss(q2, k1, pos_t)
            else:
                loss = (pixcontrast_loss(q1, k2, pos, neg, self.tau)
                        + pixcontrast_loss(q2, k1, neg=neg_t, pos=pos_t, tau=self.tau))
            losses.append(loss)
        return torch.stack(losses).mean()

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Losses of a batch of view pairs.

        Args:
            inputs (list[Tensor]): the two views, each [B, 3, H, W].
            data_samples (list[DataSample]): with ``coord`` [2, 4] and ``depth_cells``
                [2, h, w] per sample (made by ``PixProViews``).
        """
        img1, img2 = inputs
        coord = torch.stack([s.coord for s in data_samples]).float()
        depth = torch.stack([s.depth_cells for s in data_samples]).float()

        c5_1, c5_2 = self.backbone(img1), self.backbone(img2)
        proj1, proj2 = self.neck(c5_1), self.neck(c5_2)
        if self.uses_depth and depth.shape[-2:] != proj1.shape[-2:]:
            raise ValueError(
                f'the feature map is {tuple(proj1.shape[-2:])} but the per-cell depth from the '
                f'data pipeline is {tuple(depth.shape[-2:])}: set PixProViews.feat_stride to the '
                "backbone's output stride (crop_size // feature size)")
        with torch.no_grad():
            self.target_net.update_parameters(self._momentum_source())
            target = self.target_net.module
            t5_1, t5_2 = target.backbone(img1), target.backbone(img2)
            target1, target2 = target.neck(t5_1), target.neck(t5_2)

        if self.loss_type == 'propagation':
            online1, online2 = self.ppm(proj1), self.ppm(proj2)
        else:
            online1, online2 = proj1, proj2
        losses = dict(loss_pixel=self.pixel_loss(online1, online2, target1, target2, coord, depth))

        if self.instance_neck is not None:
            inst1, inst2 = self.instance_neck(c5_1)[0], self.instance_neck(c5_2)[0]
            with torch.no_grad():
                inst_t1 = target.instance_neck(t5_1)[0]
                inst_t2 = target.instance_neck(t5_2)[0]
            loss_inst = self.head.loss(inst1, inst_t2) + self.head.loss(inst2, inst_t1)
            losses['loss_instance'] = self.instance_weight * loss_inst
        return losses


@register_module(PRETRAIN_MODELS)
class PixPro(PixDepth):
    """PixPro: :class:`PixDepth` without the depth test (positives by 2D distance only)."""

    def __init__(self, *args, **kwargs):
        if kwargs.get('depth_thr') is not None:
            raise ValueError('PixPro takes no depth_thr; use PixDepth for depth-aware pairs')
        super().__init__(*args, **kwargs)
