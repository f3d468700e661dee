from .pixel_losses import pixcontrast_loss, pixpro_consistency_loss

__all__ = ['pixcontrast_loss', 'pixpro_consistency_loss']
