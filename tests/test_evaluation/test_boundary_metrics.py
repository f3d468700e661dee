"""Boundary IoU and the IoU near depth discontinuities, against pixel-by-pixel loop references."""
import math

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmpixdepth.evaluation import (BoundaryIoUMetric, band_width, boundary_areas,
                                   depth_discontinuities, edge_region, inner_boundary, near)

CLASSES = ('background', 'a', 'b', 'c')
IGNORE = 255


# ---------------------------------------------------------------- loop references

def _inside(shape, y, x):
    return 0 <= y < shape[0] and 0 <= x < shape[1]


def ref_inner_boundary(mask, width):
    """Mask pixels with a non-mask pixel (or the outside of the image) within the
    (2 width + 1)^2 window around them."""
    out = np.zeros(mask.shape, bool)
    for y in range(mask.shape[0]):
        for x in range(mask.shape[1]):
            if not mask[y, x]:
                continue
            for dy in range(-width, width + 1):
                for dx in range(-width, width + 1):
                    v, u = y + dy, x + dx
                    if not _inside(mask.shape, v, u) or not mask[v, u]:
                        out[y, x] = True
    return out


def ref_near(mask, width):
    out = np.zeros(mask.shape, bool)
    for y in range(mask.shape[0]):
        for x in range(mask.shape[1]):
            for dy in range(-width, width + 1):
                for dx in range(-width, width + 1):
                    v, u = y + dy, x + dx
                    if _inside(mask.shape, v, u) and mask[v, u]:
                        out[y, x] = True
    return out


def ref_depth_discontinuities(depth, jump):
    values = [float(v) for v in depth.ravel() if not math.isnan(v)]
    out = np.zeros(depth.shape, bool)
    if not values or max(values) == min(values):
        return out
    low, high = min(values), max(values)
    for y in range(depth.shape[0]):
        for x in range(depth.shape[1]):
            if math.isnan(depth[y, x]):
                continue
            for v, u in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if not _inside(depth.shape, v, u) or math.isnan(depth[v, u]):
                    continue
                a = (float(depth[y, x]) - low) / (high - low)
                b = (float(depth[v, u]) - low) / (high - low)
                if abs(a - b) > jump:
                    out[y, x] = True
    return out


def ref_boundary_areas(pred, gt, num_classes, width, ignore_index=IGNORE):
    intersect, union = [0] * num_classes, [0] * num_classes
    for c in range(num_classes):
        g = ref_inner_boundary(gt == c, width)
        p = ref_inner_boundary(pred == c, width)
        for y in range(gt.shape[0]):
            for x in range(gt.shape[1]):
                if gt[y, x] == ignore_index:
                    continue
                intersect[c] += bool(g[y, x] and p[y, x])
                union[c] += bool(g[y, x] or p[y, x])
    return intersect, union


def random_masks(seed=0):
    """Random small masks of several shapes and densities, plus empty and full ones."""
    rng = np.random.default_rng(seed)
    masks = []
    for shape in ((1, 1), (1, 9), (8, 1), (7, 11), (13, 10), (16, 16)):
        masks += [np.zeros(shape, bool), np.ones(shape, bool)]
        for density in (0.2, 0.5, 0.9):
            masks.append(rng.random(shape) < density)
        blob = np.zeros(shape, bool)  # a block touching the top-left corner
        blob[:max(1, shape[0] // 2), :max(1, shape[1] // 2 + 1)] = True
        masks.append(blob)
    return masks


# ---------------------------------------------------------------- pure functions

def test_band_width_is_two_percent_of_the_diagonal():
    assert band_width((480, 640)) == 16  # diagonal 800
    assert band_width((1024, 2048)) == 46  # 2289.7 * 0.02 = 45.8
    assert band_width((3, 512, 512)) == 14  # 724.1 * 0.02 = 14.5 (leading dims ignored)
    assert band_width((10, 10)) == 1  # 0.28 rounds to 0: at least 1
    assert band_width((30, 40), ratio=0.1) == 5


def test_inner_boundary_of_a_square():
    mask = np.zeros((20, 20), bool)
    mask[5:15, 5:15] = True
    assert inner_boundary(mask, 1).sum() == 36
    assert inner_boundary(mask, 2).sum() == 100 - 36
    assert inner_boundary(mask, 5).sum() == 100  # the whole square
    assert not inner_boundary(mask, 0).any()
    # the image border counts as outside: a full image has its frame as boundary
    assert inner_boundary(np.ones((20, 20), bool), 1).sum() == 400 - 18 * 18
    assert inner_boundary(np.ones((20, 20), bool), 3).sum() == 400 - 14 * 14


def test_inner_boundary_of_a_hand_made_mask_touching_the_border():
    mask = np.array([[1, 1, 1, 1, 0, 0],
                     [1, 1, 1, 1, 0, 0],
                     [1, 1, 1, 1, 1, 1],
                     [1, 1, 1, 1, 1, 1],
                     [0, 1, 1, 1, 1, 1]], bool)
    expected = np.array([[1, 1, 1, 1, 0, 0],
                         [1, 0, 0, 1, 0, 0],
                         [1, 0, 0, 1, 1, 1],
                         [1, 1, 0, 0, 0, 1],
                         [0, 1, 1, 1, 1, 1]], bool)
    np.testing.assert_array_equal(inner_boundary(mask, 1), expected)
    np.testing.assert_array_equal(inner_boundary(torch.from_numpy(mask), 1), expected)
    np.testing.assert_array_equal(inner_boundary(mask, 2), mask)


@pytest.mark.parametrize('width', [0, 1, 2, 3, 5, 20])
def test_inner_boundary_and_near_match_the_loops(width):
    for mask in random_masks():
        boundary = inner_boundary(mask, width)
        assert boundary.dtype == bool and boundary.shape == mask.shape
        np.testing.assert_array_equal(boundary, ref_inner_boundary(mask, width))
        np.testing.assert_array_equal(near(mask, width), ref_near(mask, width))


def test_strided_inputs_and_bad_widths():
    mask = np.zeros((20, 30), bool)
    mask[5:15, 5:15] = True
    for view in (mask.T, mask[:, ::2], mask[::-1]):
        np.testing.assert_array_equal(inner_boundary(view, 1), ref_inner_boundary(view, 1))
        np.testing.assert_array_equal(near(view, 2), ref_near(view, 2))
    with pytest.raises(ValueError, match='width'):
        inner_boundary(mask, -1)
    with pytest.raises(ValueError, match='shape'):
        boundary_areas(mask.astype(int), mask.T.astype(int), 2, 1)


def test_near_of_a_point():
    mask = np.zeros((9, 9), bool)
    mask[0, 4] = True
    assert near(mask, 2).sum() == 3 * 5  # the window cut by the top border
    assert near(np.zeros((9, 9), bool), 3).sum() == 0


def test_boundary_areas_with_ignored_pixels_by_hand():
    gt = np.zeros((4, 4), np.int64)
    gt[:, 3] = IGNORE
    pred = np.zeros((4, 4), np.int64)
    # G: the 4x3 block's frame (10 px); P: the 4x4 frame without the ignored column (8 px),
    # all inside G
    intersect, union = boundary_areas(pred, gt, 2, 1)
    assert intersect.dtype == np.float64 and union.dtype == np.float64
    np.testing.assert_array_equal(intersect, [8, 0])
    np.testing.assert_array_equal(union, [10, 0])


@pytest.mark.parametrize('width', [1, 2, 4])
def test_boundary_areas_match_the_loops(width):
    rng = np.random.default_rng(width)
    for shape in ((1, 6), (9, 7), (12, 15)):
        for _ in range(3):
            gt = rng.integers(0, 3, shape)
            gt[rng.random(shape) < 0.15] = IGNORE
            gt[:, : shape[1] // 3] = 1  # a large region, so that interiors exist
            pred = np.where(rng.random(shape) < 0.3, rng.integers(0, 4, shape), gt)
            pred[pred == IGNORE] = 0
            expected = ref_boundary_areas(pred, gt, 4, width)
            for to in (np.asarray, torch.from_numpy):
                intersect, union = boundary_areas(to(pred), to(gt), 4, width)
                np.testing.assert_array_equal(intersect, expected[0])
                np.testing.assert_array_equal(union, expected[1])


def test_boundary_areas_of_perfect_and_empty_predictions():
    gt = np.zeros((12, 12), np.int64)
    gt[3:9, 2:10] = 2
    intersect, union = boundary_areas(gt, gt, 3, 1)
    np.testing.assert_array_equal(intersect, union)
    # the image frame (44 px) and the ring around the block (32 px); the block's frame (24 px)
    np.testing.assert_array_equal(union, [44 + 32, 0, 24])
    intersect, union = boundary_areas(np.ones_like(gt), gt, 3, 1)  # nothing right
    np.testing.assert_array_equal(intersect, [0, 0, 0])
    np.testing.assert_array_equal(union, [76, 44, 24])


def test_depth_discontinuities_by_hand():
    marked = depth_discontinuities(np.array([[0.0, 0.04, 1.0, 1.0]]))
    np.testing.assert_array_equal(marked, [[False, True, True, False]])
    # any units and offset: only the normalised steps matter
    marked = depth_discontinuities(np.array([[1000.0, 1040.0, 2000.0, 2000.0]]))
    np.testing.assert_array_equal(marked, [[False, True, True, False]])
    # a NaN between the two sides hides the step; NaN pixels are never marked
    marked = depth_discontinuities(np.array([[0.0, np.nan, 1.0, 1.0]]))
    assert not marked.any()
    # the step is vertical too
    column = np.array([[2.0], [2.0], [5.0], [np.nan], [5.0]])
    np.testing.assert_array_equal(depth_discontinuities(column)[:, 0],
                                  [False, True, True, False, False])
    assert depth_discontinuities(column, jump=1.0).sum() == 0


def test_depth_discontinuities_of_constant_and_invalid_maps():
    assert not depth_discontinuities(np.full((5, 6), 3.5)).any()
    constant = np.full((5, 6), 3.5)
    constant[::2, 1::2] = np.nan
    assert not depth_discontinuities(constant).any()
    assert not depth_discontinuities(np.full((5, 6), np.nan)).any()
    assert not edge_region(np.full((5, 6), np.nan), 2).any()


@pytest.mark.parametrize('jump', [0.05, 0.3])
def test_depth_discontinuities_and_edge_region_match_the_loops(jump):
    gen = torch.Generator().manual_seed(0)
    for shape in ((1, 5), (6, 1), (7, 9), (12, 10)):
        depth = 3 + 7 * torch.rand(*shape, generator=gen, dtype=torch.float64)
        depth[torch.rand(*shape, generator=gen) < 0.25] = float('nan')
        for array in (depth.numpy(), depth.float().numpy()):
            expected = ref_depth_discontinuities(array, jump)
            np.testing.assert_array_equal(depth_discontinuities(array, jump), expected)
            for width in (0, 1, 3):
                np.testing.assert_array_equal(edge_region(array, width, jump),
                                              ref_near(expected, width))
        np.testing.assert_array_equal(depth_discontinuities(depth, jump),
                                      ref_depth_discontinuities(depth.numpy(), jump))


# ---------------------------------------------------------------- the metric

def _sample(pred, gt, depth=None):
    sample = SegDataSample()
    sample.pred_sem_seg = PixelData(data=torch.from_numpy(pred)[None])
    sample.gt_sem_seg = PixelData(data=torch.from_numpy(gt)[None])
    if depth is not None:
        sample.gt_depth_map = PixelData(data=torch.from_numpy(depth)[None])
    return sample


def _scenes():
    """Three hand-made images of different sizes: (pred, gt, depth in millimetres)."""
    rng = np.random.default_rng(3)
    scenes = []
    for (h, w), box in (((24, 30), (4, 16, 6, 20)), ((16, 16), (0, 9, 3, 16)),
                        ((20, 40), (5, 15, 20, 38))):
        gt = np.zeros((h, w), np.int64)
        y0, y1, x0, x1 = box
        gt[y0:y1, x0:x1] = 1
        gt[h - 3:, : w // 3] = 2
        gt[0, :] = IGNORE
        pred = np.zeros_like(gt)
        pred[y0 + 1:y1 + 1, x0 - 1:x1 - 2] = 1  # the box, shifted
        pred[h - 4:, : w // 3 + 2] = 2
        pred[rng.random((h, w)) < 0.05] = 1
        depth = np.full((h, w), 3000.0, np.float32)
        depth[y0:y1, x0:x1] = 1500.0  # the object stands in front
        depth += rng.normal(0, 10, (h, w)).astype(np.float32)  # below the jump threshold
        depth[rng.random((h, w)) < 0.1] = np.nan
        scenes.append((pred, gt, depth))
    scenes[1] = (*scenes[1][:2], np.full((16, 16), 2000.0, np.float32))  # no discontinuity
    return scenes


def _evaluate(cfg, samples):
    with DefaultScope.overwrite_default_scope('mmseg'):
        evaluator = Evaluator(dict(type='BoundaryIoUMetric', **cfg))
    assert type(evaluator.metrics[0]) is BoundaryIoUMetric
    evaluator.dataset_meta = dict(classes=CLASSES)
    evaluator.process(data_samples=samples, data_batch={})
    return evaluator.evaluate(len(samples))


def _percent(intersect, union):
    return [i / u * 100 if u else math.nan for i, u in zip(intersect, union)]


def test_metric_matches_the_loops_through_the_evaluator():
    scenes = _scenes()
    widths = [4, 2, 4]  # round(0.1 * diagonal) of 24x30, 16x16 and 20x40
    result = _evaluate(dict(width_ratio=0.1, depth_jump=0.1),
                       [_sample(*scene) for scene in scenes])

    b_inter, b_union = np.zeros(4), np.zeros(4)
    e_inter, e_union = np.zeros(4), np.zeros(4)
    edge_pixels = labelled = 0
    for (pred, gt, depth), width in zip(scenes, widths):
        intersect, union = ref_boundary_areas(pred, gt, 4, width)
        b_inter += intersect
        b_union += union
        region = ref_near(ref_depth_discontinuities(depth, 0.1), width)
        for p, g, r in zip(pred.ravel(), gt.ravel(), region.ravel()):
            if g == IGNORE:
                continue
            labelled += 1
            if not r:
                continue
            edge_pixels += 1
            e_inter[g] += p == g
            e_union[g] += 1
            e_union[p] += p != g
    assert edge_pixels > 0 and b_union[3] == 0 and e_union[3] == 0

    biou = _percent(b_inter, b_union)
    for name, value in zip(CLASSES, biou):
        if math.isnan(value):
            assert math.isnan(result[f'bIoU.{name}'])
        else:
            assert result[f'bIoU.{name}'] == pytest.approx(value, abs=0.006)
    assert result['bIoU'] == pytest.approx(np.nanmean(biou), abs=0.006)
    assert result['edge_mIoU'] == pytest.approx(np.nanmean(_percent(e_inter, e_union)),
                                                abs=0.006)
    assert result['edge_fraction'] == pytest.approx(edge_pixels / labelled * 100, abs=0.006)
    assert set(result) == {'bIoU', 'edge_mIoU', 'edge_fraction'} | {
        f'bIoU.{name}' for name in CLASSES}


def test_metric_with_a_fixed_width_and_no_depth():
    scenes = _scenes()
    result = _evaluate(dict(width=1, depth_jump=None, prefix='val'),
                       [_sample(pred, gt) for pred, gt, _ in scenes])
    b_inter, b_union = np.zeros(4), np.zeros(4)
    for pred, gt, _ in scenes:
        intersect, union = ref_boundary_areas(pred, gt, 4, 1)
        b_inter += intersect
        b_union += union
    biou = _percent(b_inter, b_union)
    assert result['val/bIoU'] == pytest.approx(np.nanmean(biou), abs=0.006)
    assert result['val/bIoU.a'] == pytest.approx(biou[1], abs=0.006)
    assert not any('edge' in key for key in result)


def test_metric_without_edges_reports_nan():
    pred, gt, _ = _scenes()[0]
    depth = np.full(gt.shape, 1.0, np.float32)
    result = _evaluate(dict(), [_sample(pred, gt, depth)])
    assert math.isnan(result['edge_mIoU'])
    assert result['edge_fraction'] == 0


def test_metric_refuses_a_depth_of_another_size():
    pred, gt, depth = _scenes()[0]
    with pytest.raises(ValueError, match='gt_depth_map'):
        _evaluate(dict(), [_sample(pred, gt, depth[:, :-1].copy())])


def test_metric_asks_for_the_depth_when_it_is_missing():
    pred, gt, _ = _scenes()[0]
    with pytest.raises(KeyError, match=r"LoadDepthFromFile', out_key='gt_depth_map'"
                                       r".*PackSegInputs.*depth_jump=None"):
        _evaluate(dict(), [_sample(pred, gt)])
