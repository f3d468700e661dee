"""Figures of what a pretrained encoder learned, of which cell pairs the pretraining uses and of
dataset samples, drawn from maps, views and samples computed elsewhere (``mmpixdepth.analysis``,
``mmpixdepth.datasets``).

Used by ``tools/visualize_similarity.py``, ``tools/visualize_pairs.py`` and
``tools/misc/browse_dataset.py``; images are BGR uint8, with titles, colour bars and class keys
(:mod:`.drawing`). ``RGBDSegLocalVisualizer`` draws segmentation results with labelled halves
and a class key (``tools/test.py --show-dir``).
"""
from .drawing import colorize, side_by_side, titled
from .pairs import crop_box, pairs_figure
from .seg_visualizer import RGBDSegLocalVisualizer
from .similarity import heatmap_panel, similarity_figure

__all__ = [
    'colorize', 'side_by_side', 'titled', 'crop_box', 'pairs_figure', 'RGBDSegLocalVisualizer',
    'heatmap_panel', 'similarity_figure'
]
