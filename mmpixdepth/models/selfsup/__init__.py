from .pixdepth import PixDepth, PixPro, zip_thresholds

__all__ = ['PixDepth', 'PixPro', 'zip_thresholds']
from .depth_contrast import DepthContrast  # noqa: E402

__all__ += ['DepthContrast']
