"""How alike are the feature cells of a frozen encoder: within an image, across images, and
between cells of the same class and of different classes of one image.

A segmentation head needs cells of different classes to differ. An encoder whose cells of one
image all point the same way (a high within-image cosine with no gap between same-class and
different-class pairs) gives it nothing to separate, however it is trained.
"""
from typing import Dict

import torch
import torch.nn.functional as F

from .pair_statistics import cell_labels

WHOLE_IMAGE = torch.tensor([[0., 0., 1., 1.]])  # the box of a whole image (PixProViews' coord)


def _pair_sum(vectors: torch.Tensor):
    """Sum and count of the cosines of the ordered pairs of distinct rows of unit ``vectors``
    [n, C]: ``|sum|^2 - n`` and ``n (n - 1)``."""
    n = vectors.shape[0]
    return float(vectors.double().sum(0).square().sum()) - n, n * (n - 1)


def cell_cosine_stats(feats: torch.Tensor, labels: torch.Tensor,
                      ignore_index: int = 255) -> Dict[str, float]:
    """Mean cosine similarity of pairs of feature cells.

    Args:
        feats: [N, C, h, w] features of N images.
        labels: [N, H, W] class of each pixel; a cell takes the class of the pixel nearest its
            centre (as in the pair statistics); cells of ``ignore_index`` count only in
            ``within`` and ``across``.

    Returns:
        ``within``: over the pairs of distinct cells of one image; ``same_class`` /
        ``other_class``: over those pairs whose two cells have the same / different classes;
        ``gap``: ``same_class - other_class``; ``across``: over pairs of cells of different
        images. Each is a mean over all such pairs of all images (a pair counts once per order).
    """
    _, c, h, w = feats.shape
    cells = F.normalize(feats.float().flatten(2), dim=1).transpose(1, 2)  # [N, h*w, C]
    classes = torch.cat([cell_labels(label.numpy(), WHOLE_IMAGE, (h, w)) for label in labels])
    within, same, labelled = [0.0, 0], [0.0, 0], [0.0, 0]  # sums and counts of pairs
    for image, image_classes in zip(cells, classes):
        for total, rows in ((within, image), (labelled, image[image_classes != ignore_index])):
            s, k = _pair_sum(rows)
            total[0] += s
            total[1] += k
        for value in image_classes.unique():
            if int(value) != ignore_index:
                s, k = _pair_sum(image[image_classes == value])
                same[0] += s
                same[1] += k
    everything = _pair_sum(cells.reshape(-1, c))
    across = (everything[0] - within[0], everything[1] - within[1])
    other = (labelled[0] - same[0], labelled[1] - same[1])
    stats = {name: total / count if count else float('nan')
             for name, (total, count) in dict(within=within, same_class=same, other_class=other,
                                              across=across).items()}
    stats['gap'] = stats['same_class'] - stats['other_class']
    return stats
