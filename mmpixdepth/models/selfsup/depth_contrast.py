from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.models.selfsup.simclr import GatherLayer
from mmpretrain.structures import DataSample

from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from ..losses import depth_contrast_loss


@register_module(PRETRAIN_MODELS)
class DepthContrast(BaseSelfSupervisor):
    """Depth Contrast: contrast each depth map with the pixel-aligned reflectance image.

    One encoder (backbone -> neck, no momentum copy) embeds both modalities; each modality
    goes through it in its own forward pass, so batch-norm statistics are per modality. The
    embeddings are L2-normalised and, gathered over all processes, enter
    :func:`depth_contrast_loss`: the depth view of a sample is the anchor, its reflectance view
    the positive, every other view of the batch a negative.

    Args:
        backbone (dict): Any mmpretrain backbone; its outputs go to the neck.
        neck (dict | list[dict]): Projection MLP taking the backbone outputs and returning a
            tuple whose first item is [B, D]; a list is built as a sequence of necks.
        temperature (float): Temperature of the loss. Defaults to 0.1.
        symmetric (bool): Use the reflectance views as anchors too. Defaults to False.
        pretrained (str, optional): Checkpoint of the whole model. Defaults to None.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict | list[dict], optional): Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 neck: Union[dict, List[dict]],
                 temperature: float = 0.1,
                 symmetric: bool = False,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        if not temperature > 0:
            raise ValueError(f'temperature must be > 0, got {temperature!r}')
        super().__init__(backbone=backbone, neck=neck, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.temperature = temperature
        self.symmetric = symmetric

    def embed(self, img: torch.Tensor) -> torch.Tensor:
        """[B, C, H, W] views -> [B, D] L2-normalised embeddings."""
        return F.normalize(self.neck(self.backbone(img))[0], dim=1)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """The contrastive loss of a batch of (depth, reflectance) view pairs.

        Args:
            inputs (list[Tensor]): the depth views and the reflectance views, each
                [B, C, H, W] (made by ``ModalityViews``).
            data_samples (list[DataSample]): not used.
        """
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError('DepthContrast takes two views per sample, [depth, reflectance] '
                             "(put dict(type='ModalityViews', keys=('depth', 'img')) before "
                             f'PackInputs), got {len(inputs)} inputs')
        depth, reflectance = inputs
        z_depth = torch.cat(GatherLayer.apply(self.embed(depth)))
        z_reflectance = torch.cat(GatherLayer.apply(self.embed(reflectance)))
        loss = depth_contrast_loss(z_depth, z_reflectance, self.temperature, self.symmetric)
        return dict(loss=loss)
