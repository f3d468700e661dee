from .heads import PixelContrastHead, PixelPropagationHead
from .losses import depth_contrast_loss, pixcontrast_loss, pixpro_consistency_loss
from .necks import PixelProjector, PixelPropagation
from .selfsup import DepthContrast, PixContrast, PixDepth, PixPro
from .utils import (PixelPairMasks, cell_centers, pixel_distances, pixel_pair_masks,
                    threshold_groups)

__all__ = [
    'cell_centers', 'pixel_distances', 'pixel_pair_masks', 'PixelPairMasks', 'pixcontrast_loss',
    'pixpro_consistency_loss', 'PixelProjector', 'PixelPropagation', 'PixDepth', 'PixPro',
    'PixContrast', 'depth_contrast_loss', 'DepthContrast', 'PixelContrastHead',
    'PixelPropagationHead', 'threshold_groups'
]
