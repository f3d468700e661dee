from .depth_contrast import DepthContrast
from .pixcontrast import PixContrast
from .pixdepth import PixDepth
from .pixpro import PixPro

__all__ = ['PixContrast', 'PixDepth', 'PixPro', 'DepthContrast']
