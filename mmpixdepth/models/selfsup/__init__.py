from .pixdepth import PixDepth, PixPro, zip_thresholds

__all__ = ['PixDepth', 'PixPro', 'zip_thresholds']
