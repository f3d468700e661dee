from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models import BaseSelfSupervisor, CosineEMA
from mmpretrain.structures import DataSample

from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from ..losses import pixcontrast_loss, pixpro_consistency_loss
from ..utils import PixelPairMasks, feature_spread

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
    """PixDepth: pixel contrast whose positive pixel pairs must also be close in depth.

    Two views of an image go through the online encoder (backbone -> pixel projector, plus the
    pixel propagation module for ``loss_type='propagation'``) and the momentum encoder (an EMA
    of backbone and projector). A cell pair (i of view 1, j of view 2) is positive when the
    cells are closer than ``dist_thr`` feature-bin diagonals in the original image and their
    depths differ by at most ``depth_thr`` (depth normalised to [0, 1]); see
    :func:`mmpixdepth.models.utils.pixel_pair_masks`. Depth only selects pairs: it is never an
    input of the network. With the paper's pixel contrast loss (the default) every other pair
    is a negative, so close pairs at different depths are pushed apart.

    With several thresholds the projected channels are split into as many equal groups, each an
    independent feature vector (the propagation module too works per group); group k uses
    ``(dist_thr[k], depth_thr[k])`` and the group losses are averaged. With ``depth_thr=None``
    the model is PixContrast (``loss_type='contrast'``) or PixPro (``'propagation'``).

    Args:
        backbone (dict): backbone giving a C5 map as its last output.
        neck (dict): pixel projector (:class:`PixelProjector`).
        ppm (dict, optional): pixel propagation module, for ``loss_type='propagation'``.
        loss_type (str): 'contrast' (the paper's pixel contrast loss, InfoNCE with the pairs
            failing the tests as negatives) or 'propagation' (PixPro's consistency loss on
            positives only, what the authors' public code trains). Defaults to 'contrast'.
        dist_thr (float | list[float]): spatial thresholds T. Defaults to 0.7.
        depth_thr (float | list[float], optional): depth thresholds T'. Defaults to None.
        tau (float): temperature of the 'contrast' loss. Defaults to 0.3.
        base_momentum (float): ``1 - m`` at the start of the cosine momentum ramp (m goes from
            ``1 - base_momentum`` to 1 over training). Defaults to 0.01.
        instance_neck (dict, optional): projector of the BYOL-style instance branch.
        instance_head (dict, optional): predictor head of the instance branch.
        instance_weight (float): weight of the instance loss. Defaults to 0 (branch off).
        loss_chunk_size (int, optional): compute the pixel loss over blocks of this many
            cells of one view, so that its pair matrices take ``n * B * loss_chunk_size * H*W``
            instead of ``n * B * (H*W)^2`` elements (n threshold groups); same result. The
            'contrast' loss recomputes each block in the backward pass (checkpointing).
            Defaults to None (unchunked).
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 ppm: Optional[dict] = None,
                 loss_type: str = 'contrast',
                 dist_thr: Thresholds = 0.7,
                 depth_thr: Thresholds = None,
                 tau: float = 0.3,
                 base_momentum: float = 0.01,
                 instance_neck: Optional[dict] = None,
                 instance_head: Optional[dict] = None,
                 instance_weight: float = 0.,
                 loss_chunk_size: Optional[int] = None,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        if loss_type not in ('propagation', 'contrast'):
            raise ValueError(f"loss_type must be 'propagation' or 'contrast', got {loss_type!r}")
        if loss_type == 'propagation' and ppm is None:
            raise ValueError("loss_type='propagation' needs a pixel propagation module (ppm)")
        if instance_weight > 0 and (instance_neck is None or instance_head is None):
            raise ValueError('instance_weight > 0 needs instance_neck and instance_head')
        if loss_chunk_size is not None and (isinstance(loss_chunk_size, bool)
                                            or not isinstance(loss_chunk_size, int)
                                            or loss_chunk_size < 1):
            raise ValueError(f'loss_chunk_size must be a positive int or None, '
                             f'got {loss_chunk_size!r}')
        super().__init__(backbone=backbone, neck=neck, head=instance_head, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.groups = zip_thresholds(dist_thr, depth_thr)
        self.loss_type = loss_type
        self.tau = tau
        self.instance_weight = instance_weight
        self.loss_chunk_size = loss_chunk_size
        self.ppm = self._build_ppm(ppm) if loss_type == 'propagation' else None
        self.instance_neck = PRETRAIN_MODELS.build(instance_neck) if instance_weight > 0 else None
        self.target_net = CosineEMA(self._momentum_source(), momentum=base_momentum)

    def _build_ppm(self, ppm: dict) -> nn.Module:
        """The propagation module, working on the threshold groups' channels separately."""
        ppm = dict(ppm)
        n = len(self.groups)
        if ppm.setdefault('groups', n) != n:
            raise ValueError(f"ppm.groups={ppm['groups']} but the thresholds make {n} channel "
                             'groups; leave ppm.groups unset')
        return PRETRAIN_MODELS.build(ppm)

    def _momentum_source(self) -> nn.ModuleDict:
        """The online modules the momentum encoder averages (a view, not a registered child)."""
        modules = dict(backbone=self.backbone, neck=self.neck)
        if self.instance_neck is not None:
            modules['instance_neck'] = self.instance_neck
        return nn.ModuleDict(modules)

    @property
    def uses_depth(self) -> bool:
        return self.groups[0][1] is not None

    def _group_features(self, x: torch.Tensor) -> torch.Tensor:
        """[B, C, H, W] -> [n*B, C/n, H*W] float32: the n channel groups, each L2-normalised,
        stacked along the batch dimension (group-major, as :class:`PixelPairMasks`)."""
        b, c = x.shape[:2]
        n = len(self.groups)
        if c % n:
            raise ValueError(f'{c} projected channels cannot be split into {n} '
                             'equal threshold groups')
        x = F.normalize(x.float().reshape(b, n, c // n, -1), dim=2)
        return x.transpose(0, 1).reshape(n * b, c // n, -1)

    def pixel_group_losses(self, online1, online2, target1, target2, coord, depth):
        """The symmetrised pixel loss of each threshold group, [n].

        The groups are stacked along the batch dimension, so that the masks of all groups come
        from one computation of the distances and depth differences and each loss runs once.

        Args:
            online1, online2 (Tensor): [B, C, H, W] online features of each view (propagated
                for 'propagation', projected for 'contrast').
            target1, target2 (Tensor): [B, C, H, W] momentum-encoder projections.
            coord (Tensor): [B, 2, 4] view boxes in the original image.
            depth (Tensor): [B, 2, H, W] per-cell depth in [0, 1], NaN unknown.
        """
        q1, q2, k1, k2 = (self._group_features(x) for x in (online1, online2, target1, target2))
        dist_thr, depth_thr = (list(t) for t in zip(*self.groups))
        masks = PixelPairMasks(coord[:, 0], coord[:, 1], tuple(online1.shape[-2:]), dist_thr,
                               depth[:, 0], depth[:, 1], depth_thr if self.uses_depth else None)
        chunk = self.loss_chunk_size
        if chunk is None:  # full masks once; view 2 -> view 1 uses their transpose
            pos, neg = masks.rows(0, masks.shape[1])
            masks12, masks21 = (pos, neg), (pos.transpose(1, 2), neg.transpose(1, 2))
        else:  # blocks made inside the losses
            masks12, masks21 = (masks, None), (masks.transpose(), None)
        n = len(self.groups)
        if self.loss_type == 'propagation':
            return (pixpro_consistency_loss(q1, k2, masks12[0], chunk, n, 'none')
                    + pixpro_consistency_loss(q2, k1, masks21[0], chunk, n, 'none'))
        return (pixcontrast_loss(q1, k2, *masks12, self.tau, chunk, n, 'none')
                + pixcontrast_loss(q2, k1, *masks21, self.tau, chunk, n, 'none'))

    def online_features(self, proj: torch.Tensor) -> torch.Tensor:
        """The online features compared with the target: propagated or projected."""
        return self.ppm(proj) if self.ppm is not None else proj

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

        online1, online2 = self.online_features(proj1), self.online_features(proj2)
        group_losses = self.pixel_group_losses(online1, online2, target1, target2, coord, depth)
        # logged, not optimised: near 0 when the projections collapse to one direction
        losses = dict(loss_pixel=group_losses.mean(), proj_spread=feature_spread(proj1))

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
    """PixPro: :class:`PixDepth` without the depth test (positives by 2D distance only) and
    with PixPro's pixel propagation consistency loss by default."""

    def __init__(self, *args, loss_type: str = 'propagation', **kwargs):
        if kwargs.get('depth_thr') is not None:
            raise ValueError(f'{type(self).__name__} takes no depth_thr; use PixDepth for '
                             'depth-aware pairs')
        super().__init__(*args, loss_type=loss_type, **kwargs)


@register_module(PRETRAIN_MODELS)
class PixContrast(PixPro):
    """PixContrast: the pixel contrast loss of :class:`PixDepth` without the depth test, the
    baseline that differs from PixDepth by depth alone."""

    def __init__(self, *args, loss_type: str = 'contrast', **kwargs):
        super().__init__(*args, loss_type=loss_type, **kwargs)
