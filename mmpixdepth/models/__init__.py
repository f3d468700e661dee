from .losses import pixcontrast_loss, pixpro_consistency_loss
from .necks import PixelProjector, PixelPropagation
from .selfsup import PixContrast, PixDepth, PixPro
from .utils import PixelPairMasks, cell_centers, pixel_distances, pixel_pair_masks

__all__ = [
    'cell_centers', 'pixel_distances', 'pixel_pair_masks', 'PixelPairMasks', 'pixcontrast_loss',
    'pixpro_consistency_loss', 'PixelProjector', 'PixelPropagation', 'PixDepth', 'PixPro',
    'PixContrast'
]
from .losses import depth_contrast_loss  # noqa: E402
from .selfsup import DepthContrast  # noqa: E402

__all__ += ['depth_contrast_loss', 'DepthContrast']
