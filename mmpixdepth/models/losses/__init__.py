from .depth_contrast_loss import depth_contrast_loss
from .pixel_losses import pixcontrast_loss, pixpro_consistency_loss

__all__ = ['pixcontrast_loss', 'pixpro_consistency_loss', 'depth_contrast_loss']
