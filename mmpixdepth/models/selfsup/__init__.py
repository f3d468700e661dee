from .pixdepth import PixContrast, PixDepth, PixPro, zip_thresholds

__all__ = ['PixContrast', 'PixDepth', 'PixPro', 'zip_thresholds']
from .depth_contrast import DepthContrast  # noqa: E402

__all__ += ['DepthContrast']
