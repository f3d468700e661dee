"""Depth maps for image folders: monocular (``tools/generate_depth.py``) and from rectified
stereo pairs (``tools/generate_disparity.py``).

``image_files`` lists and reads images, ``estimators`` loads models, ``depth_png`` writes and
checks the 16-bit PNG outputs, ``generate`` runs a model over a list of images. ``stereo``
matches rectified pairs (``tools/generate_disparity.py``, run by ``stereo_batch``),
``stereo_accuracy`` scores disparity against known truth.
"""
from .depth_png import decode_depth_png, is_valid_depth_png, read_depth_png_metadata
from .estimators import (OUTPUT_KINDS, DepthEstimator, ModelLoadError, ModelOutputError,
                         load_estimator)
from .generate import GenerateSummary, generate_depth
from .image_files import (IMAGE_SUFFIXES, check_source_folder, check_unique_outputs, list_images,
                          output_name, parse_shard, select_shard, take_shard)
from .stereo import (SGBMOptions, compute_disparity, create_matcher, disparity_to_png_values,
                     encode_disparity_png, left_right_check, match_both_views, wls_available)
from .stereo_accuracy import (accuracy_counts, accuracy_rates, evaluate_stereo,
                              textured_mask)
from .stereo_batch import (PairError, generate_disparity, list_left_images, match_pair,
                           replace_in_name)

__all__ = [
    'IMAGE_SUFFIXES', 'OUTPUT_KINDS', 'DepthEstimator', 'GenerateSummary', 'ModelLoadError',
    'ModelOutputError', 'check_unique_outputs', 'decode_depth_png', 'generate_depth',
    'is_valid_depth_png', 'list_images', 'load_estimator', 'output_name', 'parse_shard',
    'read_depth_png_metadata', 'select_shard', 'take_shard', 'check_source_folder',
    'SGBMOptions', 'compute_disparity', 'create_matcher', 'disparity_to_png_values',
    'encode_disparity_png', 'left_right_check', 'match_both_views', 'wls_available',
    'accuracy_counts', 'accuracy_rates', 'evaluate_stereo', 'textured_mask', 'PairError',
    'generate_disparity', 'list_left_images', 'match_pair', 'replace_in_name'
]
