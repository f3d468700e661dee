"""What a pretrained encoder learned, and which cell pairs the pretraining uses, as figures.

Used by ``tools/visualize_similarity.py`` and ``tools/visualize_pairs.py``; images are BGR uint8.
``RGBDSegLocalVisualizer`` draws segmentation results (``tools/test.py --show-dir``).
"""
from .drawing import colorize, side_by_side, titled
from .seg_visualizer import RGBDSegLocalVisualizer
from .pairs import build_depth_loader, build_views, cell_pairs, crop_box, pairs_figure, sample_views
from .similarity import (RANDOM, build_encoder, encoder_features, heatmap_panel, init_random,
                         load_encoder, output_stride, point_to_cell, preprocess,
                         similarity_figure, similarity_map)

__all__ = [
    'colorize', 'side_by_side', 'titled', 'build_depth_loader', 'build_views', 'cell_pairs',
    'crop_box', 'pairs_figure', 'sample_views', 'RANDOM', 'build_encoder', 'encoder_features',
    'heatmap_panel', 'init_random', 'load_encoder', 'output_stride',
    'point_to_cell', 'RGBDSegLocalVisualizer', 'preprocess', 'similarity_figure', 'similarity_map'
]
