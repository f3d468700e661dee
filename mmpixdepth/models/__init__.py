from .losses import pixcontrast_loss, pixpro_consistency_loss
from .necks import PixelProjector, PixelPropagation
from .selfsup import PixDepth, PixPro
from .utils import cell_centers, pixel_distances, pixel_pair_masks

__all__ = [
    'cell_centers', 'pixel_distances', 'pixel_pair_masks', 'pixcontrast_loss',
    'pixpro_consistency_loss', 'PixelProjector', 'PixelPropagation', 'PixDepth', 'PixPro'
]
