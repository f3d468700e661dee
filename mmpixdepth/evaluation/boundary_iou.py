"""Boundary metrics for semantic segmentation: Boundary IoU and the IoU near depth edges.

Boundary IoU (Cheng et al., CVPR 2021) compares, class by class, the thin bands of pixels
inside the predicted and the ground-truth masks that lie close to the masks' contours, so it
measures how well the contours are placed rather than how much of each region is covered. The
band is ``width`` pixels wide (chessboard distance), by default 2 % of the image diagonal.

``edge_mIoU`` is the ordinary mIoU restricted to the pixels close to a depth discontinuity,
where objects usually meet.

The functions on maps take ``[H, W]`` numpy arrays or torch tensors and return numpy arrays.
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmseg.evaluation import IoUMetric

from mmpixdepth.registry import SEG_METRICS, register_module


def _numpy(array) -> np.ndarray:
    if isinstance(array, torch.Tensor):
        return array.detach().cpu().numpy()
    return np.asarray(array)


def _check_width(width: int) -> int:
    if width < 0:
        raise ValueError(f'width must be >= 0 pixels, got {width}')
    return int(width)


def _square(width: int) -> np.ndarray:
    """Structuring element of chessboard radius ``width``: uint8 ones ``[2w+1, 2w+1]``."""
    size = 2 * _check_width(width) + 1
    return np.ones((size, size), np.uint8)


def band_width(shape: Sequence[int], ratio: float = 0.02) -> int:
    """Band width in pixels for an image of ``shape`` (``(..., H, W)``).

    Returns:
        int: ``max(1, round(ratio * sqrt(H ** 2 + W ** 2)))``.
    """
    height, width = shape[-2:]
    return max(1, int(round(ratio * math.hypot(height, width))))


def inner_boundary(mask, width: int) -> np.ndarray:
    """The pixels of ``mask`` within chessboard distance ``width`` of a pixel outside it.

    Everything outside the image counts as outside the mask, so a mask touching the image border
    has a boundary along it.

    Args:
        mask: bool ``[H, W]``.
        width (int): Band width in pixels (0 gives an empty boundary).

    Returns:
        np.ndarray: bool ``[H, W]``.
    """
    mask = np.ascontiguousarray(_numpy(mask), dtype=bool)
    eroded = cv2.erode(mask.view(np.uint8), _square(width), borderType=cv2.BORDER_CONSTANT,
                       borderValue=0)
    return mask & (eroded == 0)


def near(mask, width: int) -> np.ndarray:
    """The pixels within chessboard distance ``width`` of a True pixel of ``mask``.

    Args:
        mask: bool ``[H, W]``.
        width (int): Distance in pixels (0 returns ``mask``).

    Returns:
        np.ndarray: bool ``[H, W]``.
    """
    mask = np.ascontiguousarray(_numpy(mask), dtype=bool)
    dilated = cv2.dilate(mask.view(np.uint8), _square(width), borderType=cv2.BORDER_CONSTANT,
                         borderValue=0)
    return dilated > 0


def boundary_areas(pred, gt, num_classes: int, width: int,
                   ignore_index: int = 255) -> Tuple[np.ndarray, np.ndarray]:
    """Per-class intersection and union of the predicted and ground-truth inner boundaries.

    For each class ``c``: ``G = inner_boundary(gt == c)``, ``P = inner_boundary(pred == c)``,
    both restricted to the pixels whose ``gt`` is not ``ignore_index`` (ignored pixels count as
    outside every class, so a class region next to them has a boundary there).

    Args:
        pred: int ``[H, W]`` predicted labels.
        gt: int ``[H, W]`` ground-truth labels.
        num_classes (int): Number of classes; labels outside ``[0, num_classes)`` belong to no
            class.
        width (int): Band width in pixels.
        ignore_index (int): Ground-truth label of unlabelled pixels. Defaults to 255.

    Returns:
        tuple[np.ndarray, np.ndarray]: float64 ``[num_classes]`` pixel counts ``|G & P|`` and
        ``|G | P|``.
    """
    pred, gt = _numpy(pred), _numpy(gt)
    if pred.shape != gt.shape:
        raise ValueError(f'pred {pred.shape} and gt {gt.shape} differ in shape')
    labelled = gt != ignore_index
    intersect = np.zeros(num_classes, dtype=np.float64)
    union = np.zeros(num_classes, dtype=np.float64)
    present = np.union1d(np.unique(pred), np.unique(gt[labelled]))
    for c in present[(present >= 0) & (present < num_classes)]:
        gt_band = inner_boundary(gt == c, width)  # gt == c holds on labelled pixels only
        pred_band = inner_boundary(pred == c, width) & labelled
        intersect[c] = np.count_nonzero(gt_band & pred_band)
        union[c] = np.count_nonzero(gt_band | pred_band)
    return intersect, union


def depth_discontinuities(depth, jump: float = 0.05) -> np.ndarray:
    """The pixels on a depth discontinuity.

    The valid (finite) depths are min-max normalised to ``[0, 1]``; both pixels of a pair of
    valid 4-neighbours whose normalised depths differ by more than ``jump`` are marked. A map
    with fewer than two distinct valid depths has no discontinuity.

    Args:
        depth: float ``[H, W]``, any units, NaN where invalid.
        jump (float): Threshold on the normalised depth difference. Defaults to 0.05.

    Returns:
        np.ndarray: bool ``[H, W]``; invalid pixels are never marked.
    """
    depth = _numpy(depth).astype(np.float64)
    valid = np.isfinite(depth)
    marked = np.zeros(depth.shape, dtype=bool)
    if not valid.any():
        return marked
    low, high = depth[valid].min(), depth[valid].max()
    if high <= low:
        return marked
    scaled = np.where(valid, (depth - low) / (high - low), 0.0)
    everything, head, tail = slice(None), slice(None, -1), slice(1, None)
    for first, second in (((head, everything), (tail, everything)),  # vertical neighbours
                          ((everything, head), (everything, tail))):  # horizontal neighbours
        pair = (valid[first] & valid[second]
                & (np.abs(scaled[first] - scaled[second]) > jump))
        marked[first] |= pair
        marked[second] |= pair
    return marked


def edge_region(depth, width: int, jump: float = 0.05) -> np.ndarray:
    """The pixels within chessboard distance ``width`` of a depth discontinuity.

    Args:
        depth: float ``[H, W]``, NaN where invalid.
        width (int): Distance in pixels.
        jump (float): See :func:`depth_discontinuities`.

    Returns:
        np.ndarray: bool ``[H, W]``.
    """
    return near(depth_discontinuities(depth, jump), width)


def _percent_iou(intersect: np.ndarray, union: np.ndarray) -> Tuple[float, np.ndarray]:
    """Mean over classes with a non-zero union (NaN if none) and per-class IoU (NaN where the
    union is 0), in percent rounded to 2 decimals."""
    iou = np.full(union.shape, np.nan)
    counted = union > 0
    iou[counted] = intersect[counted] / union[counted]
    mean = iou[counted].mean() if counted.any() else np.nan
    return float(np.round(mean * 100, 2)), np.round(iou * 100, 2)


@register_module(SEG_METRICS)
class BoundaryIoUMetric(BaseMetric):
    """Boundary IoU of each class and, optionally, the mIoU near depth discontinuities.

    For each image the band width is ``width`` pixels, or :func:`band_width` of its ground truth
    with ``width_ratio``. The counts of every image are summed before the ratios are taken.

    Output keys (percent, rounded to 2 decimals):

    - ``bIoU``: mean Boundary IoU over the classes with a non-zero boundary union.
    - ``bIoU.<class>``: Boundary IoU of each class of ``dataset_meta['classes']`` (NaN when
      neither its predicted nor its ground-truth boundary has a pixel).
    - ``edge_mIoU`` (unless ``depth_jump`` is None): mIoU of the labelled pixels within the band
      width of a depth discontinuity (:func:`edge_region`), over the classes with a non-zero
      union there; NaN if there is no such pixel.
    - ``edge_fraction`` (unless ``depth_jump`` is None): share of the labelled pixels that lie
      in that region.

    The data samples need ``pred_sem_seg`` and ``gt_sem_seg`` and, for the depth metrics,
    ``gt_depth_map`` (``[1, H, W]`` float, NaN where invalid, the size of the ground truth):
    mmseg's ``PackSegInputs`` packs it from ``results['gt_depth_map']``, which
    ``LoadDepthFromFile`` writes with ``out_key='gt_depth_map'``.

    Args:
        width_ratio (float): Band width as a fraction of the image diagonal. Defaults to 0.02.
        width (int, optional): Band width in pixels; overrides ``width_ratio``.
        depth_jump (float, optional): Normalised depth step that makes a discontinuity (see
            :func:`depth_discontinuities`); None skips the depth metrics. Defaults to 0.05.
        ignore_index (int): Label of unlabelled pixels. Defaults to 255.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Key prefix. Defaults to None.
    """

    def __init__(self,
                 width_ratio: float = 0.02,
                 width: Optional[int] = None,
                 depth_jump: Optional[float] = 0.05,
                 ignore_index: int = 255,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.width_ratio = width_ratio
        self.width = None if width is None else _check_width(width)
        self.depth_jump = depth_jump
        self.ignore_index = ignore_index

    def _depth(self, data_sample: dict, shape: Tuple[int, int]) -> torch.Tensor:
        if 'gt_depth_map' not in data_sample:
            raise KeyError(
                "BoundaryIoUMetric needs the ground-truth depth for edge_mIoU but the data "
                "sample has no 'gt_depth_map': add dict(type='LoadDepthFromFile', "
                "out_key='gt_depth_map') to the test pipeline before PackSegInputs (where the "
                'annotations are loaded, with check_size=False if the image is resized before), '
                'or set depth_jump=None')
        depth = data_sample['gt_depth_map']['data'][0]
        if tuple(depth.shape) != shape:
            raise ValueError(
                f'gt_depth_map is {tuple(depth.shape)} but gt_sem_seg is {shape}: load the '
                'depth where the annotations are loaded, after the transforms that resize the '
                'image')
        return depth

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Store, per image, the boundary intersect/union ``[num_classes]`` and, with depth,
        the intersect/union ``[num_classes]`` of the edge region and its labelled pixel counts.
        """
        num_classes = len(self.dataset_meta['classes'])
        for data_sample in data_samples:
            pred = data_sample['pred_sem_seg']['data'][0].cpu()
            gt = data_sample['gt_sem_seg']['data'][0].cpu()
            width = self.width if self.width is not None else band_width(gt.shape,
                                                                         self.width_ratio)
            result = dict(zip(('boundary_intersect', 'boundary_union'),
                              boundary_areas(pred, gt, num_classes, width, self.ignore_index)))
            if self.depth_jump is not None:
                depth = self._depth(data_sample, tuple(gt.shape))
                region = torch.from_numpy(edge_region(depth, width, self.depth_jump))
                edge_gt = torch.where(region, gt, torch.full_like(gt, self.ignore_index))
                intersect, union, _, _ = IoUMetric.intersect_and_union(
                    pred, edge_gt, num_classes, self.ignore_index)
                result.update(edge_intersect=intersect.numpy().astype(np.float64),
                              edge_union=union.numpy().astype(np.float64),
                              edge_pixels=int((edge_gt != self.ignore_index).sum()),
                              labelled_pixels=int((gt != self.ignore_index).sum()))
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Sum the per-image counts and return the metrics described in the class docstring."""
        total = {key: sum(res[key] for res in results) for key in results[0]}
        metrics = {}
        metrics['bIoU'], per_class = _percent_iou(total['boundary_intersect'],
                                                  total['boundary_union'])
        for name, value in zip(self.dataset_meta['classes'], per_class):
            metrics[f'bIoU.{name}'] = float(value)
        if self.depth_jump is not None:
            metrics['edge_mIoU'], _ = _percent_iou(total['edge_intersect'], total['edge_union'])
            labelled = total['labelled_pixels']
            fraction = total['edge_pixels'] / labelled if labelled else np.nan
            metrics['edge_fraction'] = float(np.round(fraction * 100, 2))
        return metrics
