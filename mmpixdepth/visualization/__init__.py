"""Figures of what a pretrained encoder learned and of which cell pairs the pretraining uses,
drawn from maps and views computed elsewhere (``mmpixdepth.analysis``, ``mmpixdepth.datasets``).

Used by ``tools/visualize_similarity.py`` and ``tools/visualize_pairs.py``; images are BGR uint8.
``RGBDSegLocalVisualizer`` draws segmentation results (``tools/test.py --show-dir``).
"""
from .drawing import colorize, side_by_side, titled
from .pairs import crop_box, pairs_figure
from .seg_visualizer import RGBDSegLocalVisualizer
from .similarity import heatmap_panel, similarity_figure

__all__ = [
    'colorize', 'side_by_side', 'titled', 'crop_box', 'pairs_figure', 'RGBDSegLocalVisualizer',
    'heatmap_panel', 'similarity_figure'
]
