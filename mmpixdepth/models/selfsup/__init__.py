from .depth_contrast import DepthContrast
from .pixdepth import PixContrast, PixDepth, PixPro, zip_thresholds

__all__ = ['PixContrast', 'PixDepth', 'PixPro', 'zip_thresholds', 'DepthContrast']
