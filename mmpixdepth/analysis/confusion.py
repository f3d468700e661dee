"""Confusion matrix of semantic segmentation predictions, and the figure of one."""
from typing import Optional, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def confusion_matrix(gt: np.ndarray, pred: np.ndarray, num_classes: int,
                     ignore_index: Optional[int] = 255) -> np.ndarray:
    """Pixel counts ``(num_classes, num_classes)`` int64, rows ground truth, columns prediction.

    Args:
        gt: integer label map of any shape; pixels equal to ``ignore_index`` are left out.
        pred: integer predictions of the same shape, in ``[0, num_classes)``.
        num_classes: number of classes.
        ignore_index: label of the pixels to leave out (None: none).
    """
    gt, pred = np.asarray(gt).ravel(), np.asarray(pred).ravel()
    if gt.shape != pred.shape:
        raise ValueError(f'{gt.size} labels but {pred.size} predictions')
    keep = gt != ignore_index if ignore_index is not None else np.ones_like(gt, dtype=bool)
    gt, pred = gt[keep].astype(np.int64), pred[keep].astype(np.int64)
    for name, labels in (('label', gt), ('prediction', pred)):
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f'a {name} outside [0, {num_classes}): {labels.min()}..{labels.max()}')
    return np.bincount(gt * num_classes + pred,
                       minlength=num_classes**2).reshape(num_classes, num_classes)


def row_percentages(matrix: np.ndarray) -> np.ndarray:
    """Each row of ``matrix`` as percentages of its sum (0 for a class absent from the labels)."""
    sums = matrix.sum(axis=1, keepdims=True)
    return np.divide(100.0 * matrix, sums, out=np.zeros(matrix.shape), where=sums > 0)


def matrix_text(matrix: np.ndarray, class_names: Sequence[str], fmt: str = '{:.0f}') -> str:
    """``matrix`` as a text table: a row per ground-truth class, a column per prediction."""
    cells = [[''] + list(class_names)]
    cells += [[name] + [fmt.format(value) for value in row]
              for name, row in zip(class_names, matrix)]
    widths = [max(len(row[column]) for row in cells) for column in range(len(cells[0]))]
    return '\n'.join('  '.join(cell.rjust(width) for cell, width in zip(row, widths))
                     for row in cells)


def plot_confusion(matrix: np.ndarray, class_names: Sequence[str], out: str, title: str,
                   normalized: bool = False, size: float = 6.0, dpi: int = 100) -> None:
    """Draw ``matrix`` (counts, or row percentages when ``normalized``) into the PNG ``out``.

    Args:
        matrix: ``(C, C)``, rows ground truth, columns prediction.
        class_names: ``C`` names, on both axes.
        out: output PNG path.
        title: title of the figure.
        normalized: whether the values are percentages of the rows.
        size: width and height of the figure, inches.
        dpi: pixels per inch of the PNG.
    """
    figure = Figure(figsize=(size, size), dpi=dpi, layout='constrained')
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap='Blues', vmin=0, vmax=100 if normalized else None)
    figure.colorbar(image, ax=axes, shrink=0.8,
                    label='% of the ground-truth pixels' if normalized else 'pixels')
    ticks = np.arange(len(class_names))
    axes.set_xticks(ticks, class_names, rotation=45, ha='right', rotation_mode='anchor')
    axes.set_yticks(ticks, class_names)
    axes.set_xlabel('predicted class')
    axes.set_ylabel('ground-truth class')
    axes.set_title(title)
    threshold = (100 if normalized else max(matrix.max(), 1)) / 2
    for (row, column), value in np.ndenumerate(matrix):
        axes.text(column, row, f'{value:.1f}' if normalized else f'{value:.0f}', ha='center',
                  va='center', fontsize='small', color='white' if value > threshold else 'black')
    figure.savefig(out)
