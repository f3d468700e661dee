from .pixel_projector import PixelProjector
from .pixel_propagation import PixelPropagation

__all__ = ['PixelProjector', 'PixelPropagation']
