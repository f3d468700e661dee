from .pixel_losses import pixcontrast_loss, pixpro_consistency_loss

__all__ = ['pixcontrast_loss', 'pixpro_consistency_loss']
from .depth_contrast_loss import depth_contrast_loss  # noqa: E402

__all__ += ['depth_contrast_loss']
