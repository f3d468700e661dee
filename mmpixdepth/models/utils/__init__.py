from .feature_spread import feature_spread
from .pixel_masks import PixelPairMasks, cell_centers, pixel_distances, pixel_pair_masks
from .pretrained_backbone_init import PretrainedBackbone

__all__ = [
    'cell_centers', 'feature_spread', 'pixel_distances', 'pixel_pair_masks', 'PixelPairMasks', 'PretrainedBackbone'
]
