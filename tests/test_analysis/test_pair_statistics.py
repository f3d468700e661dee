"""Pair statistics (what the depth test removes) against loop references, and the tool."""
import json
import math
import os.path as osp

import numpy as np
import pytest
import torch

from helpers import PIXDEPTH_R18_CONFIG, REPO
from mmpixdepth.analysis.pair_statistics import cell_labels, merge_counts, pair_statistics


def _centres(box, cells):
    x_ul, y_ul, x_lr, y_lr = box
    bw, bh = (x_lr - x_ul) / cells, (y_lr - y_ul) / cells
    return [((c + 0.5) * bw + x_ul, (r + 0.5) * bh + y_ul) for r in range(cells)
            for c in range(cells)], math.hypot(bw, bh)


def _random_inputs(seed, batch=3, cells=4):
    g = torch.Generator().manual_seed(seed)
    coord = torch.rand(batch, 2, 4, generator=g, dtype=torch.float64)
    coord[..., 2:] = coord[..., :2] + 0.3 + 0.5 * torch.rand(batch, 2, 2, generator=g,
                                                             dtype=torch.float64)
    coord[0, 1, [0, 2]] = coord[0, 1, [2, 0]]  # a flipped view
    depth = torch.rand(batch, 2, cells, cells, generator=g, dtype=torch.float64)
    depth[1, 0, 0, 0] = math.nan
    labels = torch.randint(0, 3, (batch, 2, cells * cells), generator=g)
    labels[2, 1, 3] = 255
    return coord, depth, labels


def test_counts_match_a_loop_reference():
    coord, depth, labels = _random_inputs(0)
    dist_thrs, depth_thrs = [0.7, 1.5], [0.1, 0.4]
    rows = pair_statistics(coord, depth, labels, dist_thrs, depth_thrs)
    cells = depth.shape[-1]
    k = 0
    for t in dist_thrs:
        for td in depth_thrs:
            n = dict.fromkeys(['pixpro_pos', 'pixpro_cross', 'pixpro_same', 'pixdepth_pos',
                               'pixdepth_cross', 'removed', 'removed_cross', 'removed_same'], 0)
            for b in range(coord.shape[0]):
                c1, d1 = _centres(coord[b, 0].tolist(), cells)
                c2, d2 = _centres(coord[b, 1].tolist(), cells)
                for i in range(cells * cells):
                    for j in range(cells * cells):
                        li, lj = int(labels[b, 0, i]), int(labels[b, 1, j])
                        if 255 in (li, lj):
                            continue
                        close = math.dist(c1[i], c2[j]) / max(d1, d2) < t
                        di, dj = float(depth[b, 0].flatten()[i]), float(depth[b, 1].flatten()[j])
                        keep = close and not math.isnan(di + dj) and abs(di - dj) <= td
                        cross = li != lj
                        n['pixpro_pos'] += close
                        n['pixpro_cross'] += close and cross
                        n['pixpro_same'] += close and not cross
                        n['pixdepth_pos'] += keep
                        n['pixdepth_cross'] += keep and cross
                        n['removed'] += close and not keep
                        n['removed_cross'] += close and not keep and cross
                        n['removed_same'] += close and not keep and not cross
            row = rows[k]
            assert (row['dist_thr'], row['depth_thr']) == (t, td)
            assert {key: row[key] for key in n} == n
            assert row['removed_cross_share'] == pytest.approx(
                n['removed_cross'] / n['removed'])
            assert row['cross_removed_rate'] == pytest.approx(
                n['removed_cross'] / n['pixpro_cross'])
            k += 1
    assert rows[-1]['pixpro_pos'] > rows[0]['pixpro_pos'] > 0


def test_merge_counts_equals_one_big_batch():
    coord, depth, labels = _random_inputs(1, batch=4)
    whole = pair_statistics(coord, depth, labels, [1.0], [0.2, 0.5])
    parts = [pair_statistics(coord[s], depth[s], labels[s], [1.0], [0.2, 0.5])
             for s in (slice(0, 1), slice(1, 4))]
    assert merge_counts(parts) == whole


def test_depth_threshold_above_one_removes_only_unknown_depth():
    coord, depth, labels = _random_inputs(2)
    depth = depth.nan_to_num(0.5)
    row = pair_statistics(coord, depth, labels, [1.0], [1.0])[0]
    assert row['removed'] == 0 and row['pixdepth_pos'] == row['pixpro_pos']


def test_cell_labels_read_the_cell_centres():
    seg = np.arange(100, dtype=np.uint8).reshape(10, 10)
    coord = torch.tensor([[0.0, 0.0, 1.0, 1.0], [1.0, 0.0, 0.0, 1.0]])  # whole image, flipped
    labels = cell_labels(seg, coord, (2, 2))
    # centres at 1/4 and 3/4 of the image: pixels round(2.25) = 2 and round(6.75) = 7
    assert labels[0].tolist() == [22, 27, 72, 77]
    assert labels[1].tolist() == [27, 22, 77, 72]


def test_pair_statistics_tool(tiny_rgbd, tmp_path, tool_main, capsys):
    out = tmp_path / 'stats.json'
    tool_main('analysis_tools/pair_statistics.py')([
        osp.join(REPO, PIXDEPTH_R18_CONFIG), '--seg-dir', f'{tiny_rgbd}/annotations/train',
        '--num-samples', '5', '--depth-thr', '0.1', '0.9', '--cfg-options',
        f'train_dataloader.dataset.data_root={tiny_rgbd}', '--out', str(out)])
    assert '5 view pairs, 6x6 cells per view' in capsys.readouterr().out
    rows = json.loads(out.read_text())['rows']
    assert [(r['dist_thr'], r['depth_thr']) for r in rows] == [
        (t, d) for t in (0.3, 0.5, 0.7) for d in (0.1, 0.9)]
    for low, high in zip(rows[::2], rows[1::2]):  # a looser depth test keeps more
        assert low['pixdepth_pos'] <= high['pixdepth_pos'] <= high['pixpro_pos']


def test_pair_statistics_tool_missing_labels(tiny_rgbd, tmp_path, tool_main):
    with pytest.raises(FileNotFoundError, match='no label map'):
        tool_main('analysis_tools/pair_statistics.py')([
            osp.join(REPO, PIXDEPTH_R18_CONFIG), '--seg-dir', str(tmp_path), '--num-samples', '2',
            '--cfg-options', f'train_dataloader.dataset.data_root={tiny_rgbd}'])
