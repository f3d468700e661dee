"""Cell-feature cosine statistics against a loop over every pair of cells."""
import math
import os.path as osp
import re

import pytest
import torch

from helpers import REPO, SEG_CONFIG
from mmpixdepth.analysis.cell_geometry import cell_cosine_stats


def loop_reference(feats, labels, ignore_index=255):
    n, _, h, w = feats.shape
    height, width = labels.shape[-2:]
    sums = {k: [0.0, 0] for k in ('within', 'same_class', 'other_class', 'across')}
    cells = []  # (image, class, unit vector)
    for b in range(n):
        for r in range(h):
            for c in range(w):
                y = round((r + 0.5) / h * (height - 1))  # the pixel nearest the cell's centre
                x = round((c + 0.5) / w * (width - 1))
                label = int(labels[b, y, x])
                vector = feats[b, :, r, c].double()
                cells.append((b, label, vector / vector.norm()))
    for i, (bi, li, vi) in enumerate(cells):
        for j, (bj, lj, vj) in enumerate(cells):
            if i == j:
                continue
            cos = float(vi @ vj)
            kinds = ['across'] if bi != bj else ['within']
            if bi == bj and ignore_index not in (li, lj):
                kinds.append('same_class' if li == lj else 'other_class')
            for kind in kinds:
                sums[kind][0] += cos
                sums[kind][1] += 1
    stats = {k: s / c if c else math.nan for k, (s, c) in sums.items()}
    stats['gap'] = stats['same_class'] - stats['other_class']
    return stats


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_stats_equal_the_loop_over_pairs(seed):
    gen = torch.Generator().manual_seed(seed)
    feats = torch.randn(3, 5, 4, 3, generator=gen)
    labels = torch.randint(0, 3, (3, 16, 12), generator=gen)
    labels[0, :4] = 255  # the first row of cells of image 0 is ignored
    got, expected = cell_cosine_stats(feats, labels), loop_reference(feats, labels)
    assert got.keys() == expected.keys()
    for key in got:
        assert got[key] == pytest.approx(expected[key], abs=1e-5), key


def test_one_direction_per_class_gives_the_largest_gap():
    """Cells equal within a class and orthogonal across classes: same 1, other 0."""
    labels = torch.zeros(2, 4, 4, dtype=torch.long)
    labels[:, :, 2:] = 1
    feats = torch.zeros(2, 3, 4, 4)
    feats[:, 0, :, :2] = 1.0
    feats[:, 1, :, 2:] = 2.0
    stats = cell_cosine_stats(feats, labels)
    assert stats['same_class'] == pytest.approx(1.0) and stats['other_class'] == pytest.approx(0.0)
    assert stats['gap'] == pytest.approx(1.0)
    # within an image: 2 x 8 x 7 of the 16 x 15 pairs have cosine 1; across the two images,
    # 2 x 8 x 8 of the 16 x 16
    assert stats['within'] == pytest.approx(112 / 240) and stats['across'] == pytest.approx(0.5)


def test_tool_prints_a_row_per_encoder(seg_run, tiny_rgbd, tool, capsys):
    """The trained narrow DeepLabV3's encoder and a random one, on the tiny set's val images."""
    main = tool('tools/analysis_tools/cell_geometry.py').main
    config = osp.join(REPO, SEG_CONFIG)
    data = f'val_dataloader.dataset.data_root={tiny_rgbd}'
    assert main([config, '--checkpoints', osp.join(seg_run, 'epoch_2.pth'), 'random',
                 '--labels', 'trained', 'untrained', '--cfg-options', data]) == 0
    out = capsys.readouterr().out
    assert 'mean cosine similarity of pairs of feature cells, 2 val images' in out
    assert '| encoder | within | same_class | other_class | gap | across |' in out
    rows = {m.group(1): [float(v) for v in m.group(2).split(' | ')]
            for m in re.finditer(r'^\| (trained|untrained) \| (.+) \|$', out, re.M)}
    assert set(rows) == {'trained', 'untrained'}
    for within, same, other, gap, across in rows.values():
        assert all(-1 <= v <= 1 for v in (within, same, other, across))
        assert gap == pytest.approx(same - other, abs=2e-3)  # printed to 3 decimals
    with pytest.raises(SystemExit):  # a name per checkpoint
        main([config, '--checkpoints', 'random', '--labels', 'a', 'b', '--cfg-options', data])
