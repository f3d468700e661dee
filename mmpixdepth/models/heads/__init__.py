from .pixel_contrast_head import PixelContrastHead
from .pixel_propagation_head import PixelPropagationHead

__all__ = ['PixelContrastHead', 'PixelPropagationHead']
