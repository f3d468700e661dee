import math
import random

import pytest
import torch

from mmpixdepth.models import cell_centers, pixel_distances, pixel_pair_masks
from helpers import random_depth, random_views


def reference_masks(coord1, coord2, feat_hw, dist_thr, depth1=None, depth2=None,
                    depth_thr=None):
    """Loop reference: (pos, neg, dist) as nested python lists [b][i][j]."""
    h, w = feat_hw

    def centre_and_diag(box, r, c):
        x_ul, y_ul, x_lr, y_lr = box
        bw, bh = (x_lr - x_ul) / w, (y_lr - y_ul) / h
        return ((c + 0.5) * bw + x_ul, (r + 0.5) * bh + y_ul), math.sqrt(bw * bw + bh * bh)

    pos, neg, dist = [], [], []
    for b in range(len(coord1)):
        pos.append([]), neg.append([]), dist.append([])
        for i in range(h * w):
            (x1, y1), diag1 = centre_and_diag(coord1[b], i // w, i % w)
            pos[b].append([]), neg[b].append([]), dist[b].append([])
            for j in range(h * w):
                (x2, y2), diag2 = centre_and_diag(coord2[b], j // w, j % w)
                d = math.sqrt((x1 - x2)**2 + (y1 - y2)**2) / max(diag1, diag2)
                close = d < dist_thr
                if depth_thr is None:
                    p, n = close, not close
                else:
                    a, z = depth1[b][i // w][i % w], depth2[b][j // w][j % w]
                    known = not (math.isnan(a) or math.isnan(z))
                    p = close and known and abs(a - z) <= depth_thr
                    n = (not close) or (known and abs(a - z) > depth_thr)
                pos[b][i].append(p), neg[b][i].append(n), dist[b][i].append(d)
    return pos, neg, dist


@pytest.mark.parametrize('feat_hw', [(3, 5), (4, 4)])
@pytest.mark.parametrize('use_depth', [False, True])
def test_masks_match_loop_reference(feat_hw, use_depth):
    rng, gen = random.Random(sum(feat_hw) + use_depth), torch.Generator().manual_seed(7)
    batch = 6
    coord1, coord2 = random_views(rng, batch), random_views(rng, batch)
    assert (coord1[:, 0] > coord1[:, 2]).any() and (coord1[:, 0] < coord1[:, 2]).any()
    depth1 = random_depth(gen, batch, feat_hw) if use_depth else None
    depth2 = random_depth(gen, batch, feat_hw) if use_depth else None
    depth_thr = 0.3 if use_depth else None
    pos, neg = pixel_pair_masks(coord1, coord2, feat_hw, 0.7, depth1, depth2, depth_thr)
    ref_pos, ref_neg, ref_dist = reference_masks(
        coord1.tolist(), coord2.tolist(), feat_hw, 0.7,
        depth1.tolist() if use_depth else None, depth2.tolist() if use_depth else None,
        depth_thr)
    n = feat_hw[0] * feat_hw[1]
    assert pos.shape == neg.shape == (batch, n, n) and pos.dtype == neg.dtype == torch.bool
    assert pos.tolist() == ref_pos
    assert neg.tolist() == ref_neg
    assert torch.allclose(pixel_distances(coord1, coord2, feat_hw),
                          torch.tensor(ref_dist, dtype=torch.float64), rtol=0, atol=1e-12)
    assert not (pos & neg).any()
    assert pos.any() and neg.any()  # the comparison is not vacuous
    if use_depth:
        neither = ~(pos | neg)
        assert neither.any()
        # "neither" pairs are exactly the close pairs with an unknown depth
        close = pixel_distances(coord1, coord2, feat_hw) < 0.7
        unknown = depth1.flatten(1).isnan()[:, :, None] | depth2.flatten(1).isnan()[:, None, :]
        assert torch.equal(neither, close & unknown)


def test_float32_boxes_agree_with_reference_away_from_threshold():
    rng = random.Random(3)
    coord1, coord2 = random_views(rng, 4), random_views(rng, 4)
    pos, neg = pixel_pair_masks(coord1.float(), coord2.float(), (3, 5), 0.7)
    ref_pos, _, ref_dist = reference_masks(coord1.tolist(), coord2.tolist(), (3, 5), 0.7)
    clear = (torch.tensor(ref_dist) - 0.7).abs() > 1e-5
    assert torch.equal(pos[clear], torch.tensor(ref_pos)[clear])
    assert torch.equal(neg, ~pos)


def test_large_depth_threshold_is_pixpro():
    rng, gen = random.Random(11), torch.Generator().manual_seed(11)
    coord1, coord2 = random_views(rng, 5), random_views(rng, 5)
    depth1 = torch.rand(5, 3, 5, generator=gen)
    depth2 = torch.rand(5, 3, 5, generator=gen)
    pixpro = pixel_pair_masks(coord1, coord2, (3, 5), 0.5)
    ref_pos, ref_neg, _ = reference_masks(coord1.tolist(), coord2.tolist(), (3, 5), 0.5)
    assert pixpro[0].tolist() == ref_pos and pixpro[1].tolist() == ref_neg
    for thr in (1.0, 2.5):
        pos, neg = pixel_pair_masks(coord1, coord2, (3, 5), 0.5, depth1, depth2, thr)
        assert torch.equal(pos, pixpro[0]) and torch.equal(neg, pixpro[1])
    # depth without a threshold is ignored
    pos, neg = pixel_pair_masks(coord1, coord2, (3, 5), 0.5, depth1, depth2)
    assert torch.equal(pos, pixpro[0]) and torch.equal(neg, pixpro[1])


def test_close_cells_at_different_depths_become_negative():
    box = torch.tensor([[0., 0., 1., 1.]])
    depth1 = torch.zeros(1, 2, 2)
    depth2 = torch.tensor([[[0., 0.9], [0.2, float('nan')]]])
    pos, neg = pixel_pair_masks(box, box, (2, 2), 0.7)
    assert torch.equal(pos[0], torch.eye(4, dtype=torch.bool))  # only the same cell is close
    pos, neg = pixel_pair_masks(box, box, (2, 2), 0.7, depth1, depth2, 0.3)
    assert pos[0].diagonal().tolist() == [True, False, True, False]
    assert neg[0].diagonal().tolist() == [False, True, False, False]  # 0.9 apart: negative
    assert not pos[0, 3, 3] and not neg[0, 3, 3]  # unknown depth: neither
    off_diagonal = ~torch.eye(4, dtype=torch.bool)
    assert neg[0][off_diagonal].all() and not pos[0][off_diagonal].any()
    # an exact threshold hit is still positive (|d_i - d_j| <= T')
    pos, _ = pixel_pair_masks(box, box, (2, 2), 0.7, depth1, depth2, 0.25)
    assert pos[0, 2, 2] and not pos[0, 1, 1]
    pos, _ = pixel_pair_masks(box, box, (2, 2), 0.7, depth1, torch.full((1, 2, 2), 0.5), 0.5)
    assert pos[0].diagonal().all()


def test_distance_unit_is_bin_diagonal():
    box = torch.tensor([[0.1, 0.2, 0.9, 0.6]], dtype=torch.float64)
    h, w = 3, 5
    bin_w, bin_h = 0.8 / w, 0.4 / h
    diag = math.hypot(bin_w, bin_h)
    centres, diags = cell_centers(box, (h, w))
    assert centres.shape == (1, h * w, 2) and diags.shape == (1, )
    assert diags.item() == pytest.approx(diag)
    assert centres[0, w + 2].tolist() == pytest.approx([0.1 + 2.5 * bin_w, 0.2 + 1.5 * bin_h])
    dist = pixel_distances(box, box, (h, w))[0]
    assert dist.diagonal().abs().max().item() < 1e-12
    assert dist[0, 1].item() == pytest.approx(bin_w / diag)  # horizontal neighbours
    assert dist[0, w].item() == pytest.approx(bin_h / diag)  # vertical neighbours
    assert dist[0, w + 1].item() == pytest.approx(1.0)  # diagonal neighbours
    # the unit is the coarser view's bin: a box twice as large halves the distances
    big = torch.tensor([[0.1, 0.2, 1.7, 1.0]], dtype=torch.float64)
    centres_big, _ = cell_centers(big, (h, w))
    expected = (centres[0, 0] - centres_big[0, 0]).norm().item() / (2 * diag)
    assert pixel_distances(box, big, (h, w))[0, 0, 0].item() == pytest.approx(expected)
    # strict threshold: a pair exactly at distance T is not positive
    at = dist[0, 1].item()
    pos, neg = pixel_pair_masks(box, box, (h, w), at)
    assert not pos[0, 0, 1] and neg[0, 0, 1] and pos[0, 0, w]
    pos, _ = pixel_pair_masks(box, box, (h, w), math.nextafter(at, 2.))
    assert pos[0, 0, 1]


def test_flipped_view_mirrors_cells():
    box = torch.tensor([[0.2, 0.1, 0.7, 0.9]])
    flipped = box[:, [2, 1, 0, 3]]
    h, w = 3, 4
    centres, diag = cell_centers(box, (h, w))
    centres_f, diag_f = cell_centers(flipped, (h, w))
    mirror = torch.arange(h * w).view(h, w).flip(1).flatten()
    assert torch.allclose(centres_f[0], centres[0, mirror])
    assert torch.allclose(diag_f, diag)
    pos, neg = pixel_pair_masks(box, flipped, (h, w), 0.3)  # < any neighbour distance
    assert torch.equal(pos[0], torch.eye(h * w, dtype=torch.bool)[:, mirror])


def test_input_validation():
    box = torch.tensor([[0., 0., 1., 1.]])
    depth = torch.zeros(1, 2, 2)
    with pytest.raises(ValueError, match='coord1'):
        pixel_pair_masks(box[0], box, (2, 2), 0.7)
    with pytest.raises(ValueError, match='batch'):
        pixel_pair_masks(box.repeat(2, 1), box, (2, 2), 0.7)
    with pytest.raises(ValueError, match='feat_hw'):
        pixel_pair_masks(box, box, (2, 0), 0.7)
    with pytest.raises(ValueError, match='both views'):
        pixel_pair_masks(box, box, (2, 2), 0.7, depth, None, 0.3)
    with pytest.raises(ValueError, match='needs depth'):
        pixel_pair_masks(box, box, (2, 2), 0.7, depth_thr=0.3)
    with pytest.raises(ValueError, match='depth2'):
        pixel_pair_masks(box, box, (2, 2), 0.7, depth, torch.zeros(1, 4), 0.3)
    with pytest.raises(ValueError, match='depth_thr'):
        pixel_pair_masks(box, box, (2, 2), 0.7, depth, depth, -0.1)
