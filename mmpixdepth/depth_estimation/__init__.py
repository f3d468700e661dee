"""Monocular depth maps for image folders (``tools/generate_depth.py``).

``image_files`` lists and reads images, ``estimators`` loads models, ``depth_png`` writes and
checks the 16-bit PNG outputs, ``generate`` runs a model over a list of images.
"""
from .depth_png import decode_depth_png, is_valid_depth_png, read_depth_png_metadata
from .estimators import (OUTPUT_KINDS, DepthEstimator, ModelLoadError, ModelOutputError,
                         load_estimator)
from .generate import GenerateSummary, generate_depth
from .image_files import (IMAGE_SUFFIXES, check_unique_outputs, list_images, output_name,
                          parse_shard, select_shard)

__all__ = [
    'IMAGE_SUFFIXES', 'OUTPUT_KINDS', 'DepthEstimator', 'GenerateSummary', 'ModelLoadError',
    'ModelOutputError', 'check_unique_outputs', 'decode_depth_png', 'generate_depth',
    'is_valid_depth_png', 'list_images', 'load_estimator', 'output_name', 'parse_shard',
    'read_depth_png_metadata', 'select_shard'
]
