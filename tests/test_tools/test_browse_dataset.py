"""tools/misc/browse_dataset.py on the synthetic sets: class keys, depth units, class labels."""
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest

from mmpixdepth.datasets.depth_unit import depth_unit
from mmpixdepth.datasets.synthetic import CLASSES, PALETTE
from mmpixdepth.datasets.three_dpm import CLASSES as CLASSES_3DPM
from mmpixdepth.visualization.browse import fixed_point, key_entries, sample_figure
from mmpixdepth.visualization.drawing import COLORBAR_PX

SEG = 'configs/_base_/datasets/synthetic_rgbd_seg.py'
CLS_3DPM = 'configs/_base_/datasets/3dpm_cls.py'
HEIGHT = 64  # panel height of the figures
TITLE_PX = 40  # two title lines


def test_segmentation_samples_have_a_class_key_and_depth_in_mm(tiny_rgbd, tool_main, repo_root,
                                                               tmp_path, capsys):
    out = tmp_path / 'browse'
    assert tool_main('misc/browse_dataset.py')([
        osp.join(repo_root, SEG), '--data-root', tiny_rgbd, '--split', 'val', '--num', '2',
        '--out-dir', str(out), '--height', str(HEIGHT)]) == 0
    printed = capsys.readouterr().out
    # the val pipeline loads depth as gt_depth_map: still drawn, in mm (meta.json of the set)
    depth_lines = re.findall(r'depth (\S+)\.\.(\S+) \[mm\], ', printed)
    assert len(depth_lines) == 2, printed
    assert 'e+' not in printed and all(float(low) > 0 for low, _ in depth_lines)
    assert '...' not in printed
    for index in range(2):
        label = cv2.imread(osp.join(tiny_rgbd, 'annotations', 'val', f'{index:05d}.png'),
                           cv2.IMREAD_UNCHANGED)
        present = np.unique(label)
        line = printed.split(f'[{index}] ')[1].split('\n[')[0]
        assert f'labels {len(present)} classes (' in line
        assert all(CLASSES[i] in line for i in present), line

        figure = cv2.imread(str(out / f'{index:05d}_{index:05d}.png'))
        assert figure.shape[1] == 3 * HEIGHT
        # under the depth panel: a colour bar from viridis' dark end to its bright end
        bar = figure[TITLE_PX + HEIGHT:TITLE_PX + HEIGHT + COLORBAR_PX, HEIGHT:2 * HEIGHT]
        ends = cv2.applyColorMap(np.array([[0, 255]], np.uint8), cv2.COLORMAP_VIRIDIS)[0]
        for colour in ends:
            assert (bar.reshape(-1, 3) == colour).all(axis=1).any()
        # under the label panel: a swatch of each class (6 classes: all of them), BGR
        key = figure[TITLE_PX + HEIGHT:, 2 * HEIGHT:].reshape(-1, 3)
        for colour in PALETTE:
            assert (key == colour[::-1]).all(axis=1).any(), colour


def test_classification_samples_show_their_class(tiny_3dpm, tool_main, repo_root, tmp_path,
                                                 capsys):
    out = tmp_path / 'browse'
    assert tool_main('misc/browse_dataset.py')([
        osp.join(repo_root, CLS_3DPM), '--data-root', tiny_3dpm, '--split', 'val',
        '--num', '7', '--out-dir', str(out), '--height', str(HEIGHT)]) == 0
    printed = capsys.readouterr().out
    # one val sample per class, its class folder named in the title with the class index
    for index, name in enumerate(CLASSES_3DPM):
        assert re.search(rf'\[\d\] \d+: class {name} \({index}\): \S+/{name}/', printed), \
            printed
    # depth PNGs in 0.1 mm (meta.json), around the belt at 1500 mm: fixed point, no e-notation
    assert re.search(r'depth 14\d\d\d\.\.1[45]\d\d\d \[0\.1 mm\]', printed), printed
    assert 'e+' not in printed
    first = [name for name in os.listdir(out) if name.startswith('00000_')]
    assert len(first) == 1 and cv2.imread(str(out / first[0])).shape[1] == 2 * HEIGHT


def test_the_class_is_in_the_figure_title():
    img = np.zeros((8, 8), np.uint8)
    titles = [sample_figure(img, title=title, height=HEIGHT)[:TITLE_PX]
              for title in ('[0] 0003: class Aggl (1)', '[0] 0003: class Ore1 (3)')]
    assert titles[0].any() and not np.array_equal(*titles)


def test_key_lists_each_class_present_by_full_name():
    classes = [f'class number {i}' for i in range(40)]
    label = np.array([[3, 3, 17], [39, 255, 41]], np.uint8)
    entries = key_entries(label, classes, [[i, 2 * i, 3 * i] for i in range(40)])
    assert [text for _, text in entries] == [
        'class number 3 33%', 'class number 17 17%', 'class number 39 17%',
        '41 (no class) 17%', 'ignored (255) 17%']
    assert entries[1][0] == (51, 34, 17)  # BGR of the RGB palette entry
    assert entries[-1][0] == (0, 0, 0)
    # few classes: all of them, those absent at 0%
    few = key_entries(np.zeros((2, 2), np.uint8), ['sky', 'road', 'car'])
    assert [text for _, text in few] == ['sky 100%', 'road 0%', 'car 0%']


@pytest.mark.parametrize('values, expected', [
    ((14770.0, 14870.0, 14970.0), ['14770', '14870', '14970']),
    ((14915.0, 14959.5, 15004.0), ['14915', '14960', '15004']),  # the ends are whole
    ((0.53, 2.41), ['0.53', '2.41']),
    ((1.5, 1.5), ['1.50', '1.50']),
    ((1477.25, 1497.5), ['1477.2', '1497.5']),
    ((0.0012, 0.0019), ['0.001200', '0.001900']),
])
def test_fixed_point(values, expected):
    assert fixed_point(values) == expected


@pytest.mark.parametrize('unit_mm, scale, expected', [
    (1.0, 1.0, 'mm'), (1.0, 0.001, 'm'), (1.0, 0.1, 'cm'), (0.1, 1.0, '0.1 mm'),
    (0.1, 0.1, 'mm'), (None, 1.0, 'file units x 1'), (None, 0.004, 'file units x 0.004'),
])
def test_depth_unit(unit_mm, scale, expected):
    assert depth_unit(unit_mm, scale) == expected
