from .depth_contrast_loss import depth_contrast_loss
from .pixel_losses import check_chunk_size, pixcontrast_loss, pixpro_consistency_loss

__all__ = ['check_chunk_size', 'pixcontrast_loss', 'pixpro_consistency_loss',
           'depth_contrast_loss']
