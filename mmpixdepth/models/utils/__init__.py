from .channel_groups import group_features
from .feature_spread import feature_spread
from .pixel_masks import (PixelPairMasks, cell_centers, pixel_distances, pixel_pair_masks,
                          threshold_groups)
from .pretrained_backbone_init import PretrainedBackbone

__all__ = [
    'cell_centers', 'feature_spread', 'group_features', 'pixel_distances', 'pixel_pair_masks',
    'PixelPairMasks', 'PretrainedBackbone', 'threshold_groups'
]
