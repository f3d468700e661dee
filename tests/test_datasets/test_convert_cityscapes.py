"""Cityscapes converter on a tiny download in the official layout (polygon annotations,
16-bit disparity PNGs): train-id labels through mmseg's converter, the disparity checks, and
the round trip through CityscapesRGBDDataset and LoadDepthFromFile."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.registry import DefaultScope
from mmseg.registry import DATASETS, TRANSFORMS

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets.converters.cityscapes import check_split, decode_disparity
from mmpixdepth.utils import load_config

H, W = 16, 32
FRAMES = dict(train=[('aachen', 'aachen_000000_000019'), ('bremen', 'bremen_000001_000019')],
              val=[('lindau', 'lindau_000000_000019')])
#: polygons drawn in order: road (train id 0) at the bottom, a car (13) on it, the ego
#: vehicle (ignored, 255) over the bottom rows; the rest stays 'unlabeled' (255)
OBJECTS = [('road', [[0, 8], [31, 8], [31, 15], [0, 15]], 0),
           ('car', [[4, 9], [11, 9], [11, 12], [4, 12]], 13),
           ('ego vehicle', [[0, 14], [31, 14], [31, 15], [0, 15]], 255)]


def disparity_map(seed):
    """Raw 16-bit disparity: (p - 1) / 256 pixels, 0 invalid (a strip on the left, as the
    stereo matcher leaves)."""
    raw = np.random.default_rng(seed).integers(257, 30000, (H, W)).astype(np.uint16)
    raw[:, :3] = 0
    return raw


def write(path, array):
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(str(path), array)


@pytest.fixture
def cityscapes(tmp_path):
    root = tmp_path / 'cityscapes'
    raw = {}
    for split, frames in FRAMES.items():
        for seed, (city, frame) in enumerate(frames):
            write(root / 'leftImg8bit' / split / city / f'{frame}_leftImg8bit.png',
                  np.random.default_rng(seed).integers(0, 256, (H, W, 3), dtype=np.uint8))
            annotation = dict(imgHeight=H, imgWidth=W, objects=[
                dict(label=label, polygon=polygon) for label, polygon, _ in OBJECTS])
            polygons = root / 'gtFine' / split / city / f'{frame}_gtFine_polygons.json'
            os.makedirs(polygons.parent, exist_ok=True)
            polygons.write_text(json.dumps(annotation))
            raw[frame] = disparity_map(seed)
            write(root / 'disparity' / split / city / f'{frame}_disparity.png', raw[frame])
    return root, raw


def expected_train_ids():
    label = np.full((H, W), 255, np.uint8)
    label[8:16, :] = 0
    label[9:13, 4:12] = 13
    label[14:16, :] = 255
    return label


def test_labels_disparity_check_and_round_trip(cityscapes, tool_main, repo_root, capsys):
    root, raw = cityscapes
    assert tool_main('dataset_converters/cityscapes.py')([str(root), '--no-progress']) == 0
    printed = capsys.readouterr().out
    assert 'label images written: 3' in printed
    train = np.stack([raw[frame] for _, frame in FRAMES['train']])
    valid = train[train > 0]
    low, high = (valid.min() - 1) / 256, (valid.max() - 1) / 256  # pixels of disparity
    assert f'train: 2 images with disparity, 90.6% valid, disparity {low:.2f}..{high:.2f} px' \
        in printed
    for split, frames in FRAMES.items():
        for city, frame in frames:
            label = cv2.imread(str(root / 'gtFine' / split / city /
                                   f'{frame}_gtFine_labelTrainIds.png'), cv2.IMREAD_UNCHANGED)
            np.testing.assert_array_equal(label, expected_train_ids())

    cfg = load_config(osp.join(repo_root, 'configs/_base_/datasets/cityscapes_rgbd_seg.py'))
    with DefaultScope.overwrite_default_scope('mmseg'):
        val = DATASETS.build(dict(cfg.val_dataloader.dataset, data_root=str(root)))
        gt = val[0]['data_samples'].gt_sem_seg.data[0].numpy()
        results = TRANSFORMS.build(dict(type='LoadImageFromFile'))(val.get_data_info(0))
        results = TRANSFORMS.build(dict(type='LoadDepthFromFile', scale=1 / 256,
                                        normalize='none'))(results)
    np.testing.assert_array_equal(gt, expected_train_ids())
    stored = raw['lindau_000000_000019']
    disparity = decode_disparity(stored)
    assert np.isnan(disparity[:, :3]).all() and np.isfinite(disparity).sum() == H * (W - 3)
    np.testing.assert_allclose(disparity[:, 3:], (stored[:, 3:] - 1.0) / 256)
    # LoadDepthFromFile scales without the offset of 1: p / 256 = disparity + 1 / 256
    np.testing.assert_allclose(results['depth'], disparity + 1 / 256, rtol=1e-6)


def test_pretraining_needs_no_labels(cityscapes, tool_main, capsys, pretraining_item):
    root, _ = cityscapes
    assert tool_main('dataset_converters/cityscapes.py')(
        [str(root), '--labels', 'none', '--no-progress']) == 0
    assert 'val: 1 images with disparity' in capsys.readouterr().out
    assert not any(name.endswith('_labelTrainIds.png')
                   for _, _, files in os.walk(root / 'gtFine') for name in files)
    for config in ('pixdepth/pixdepth_r34_8xb32-500e_cityscapes-224x224.py',
                   'pixcontrast/pixcontrast_r34_8xb32-500e_cityscapes-224x224.py'):
        item = pretraining_item(config, str(root))
        assert [tuple(view.shape) for view in item['inputs']] == [(3, 224, 224)] * 2
        assert item['data_samples'].depth_cells.shape == (2, 7, 7)


def test_checks_name_the_broken_file(cityscapes, tool_main, capsys):
    root, raw = cityscapes
    check = tool_main('dataset_converters/cityscapes.py')
    disparity = root / 'disparity' / 'val' / 'lindau' / 'lindau_000000_000019_disparity.png'
    write(disparity, (raw['lindau_000000_000019'] >> 8).astype(np.uint8))
    assert check([str(root), '--labels', 'none', '--no-progress']) == 1
    assert 'lindau_000000_000019_disparity.png is a PNG of mode L (8-bit grey); official ' \
        'disparity maps are 16-bit grey' in capsys.readouterr().err
    write(disparity, raw['lindau_000000_000019'][:, :20])
    with pytest.raises(ValueError,
                       match=r'_disparity.png is 20x16 but .*_leftImg8bit.png is 32x16'):
        check_split(str(root), 'val', labels=False, progress=False)
    os.remove(disparity)
    with pytest.raises(FileNotFoundError, match=r'1 image\(s\) of 1 in .*leftImg8bit/val have no '
                                                r'disparity file .*lindau_000000_000019_'
                                                r'leftImg8bit.png -> .*_disparity.png'):
        check_split(str(root), 'val', labels=False, progress=False)

    assert check([str(root), '--splits', 'train', '--no-progress']) == 0
    label = root / 'gtFine' / 'train' / 'aachen' / 'aachen_000000_000019_gtFine_labelTrainIds.png'
    write(label, np.full((H, W), 26, np.uint8))  # a label id (car), not a train id
    assert check([str(root), '--splits', 'train', '--labels', 'check', '--no-progress']) == 1
    assert r'with values [26] outside the train ids' in capsys.readouterr().err


def test_labels_with_two_processes(cityscapes, tool_main, capsys):
    root, _ = cityscapes
    assert tool_main('dataset_converters/cityscapes.py')([str(root), '--no-progress',
                                                          '--nproc', '2']) == 0
    assert 'label images written: 3' in capsys.readouterr().out
    for split, frames in FRAMES.items():
        for city, frame in frames:
            label = cv2.imread(str(root / 'gtFine' / split / city /
                                   f'{frame}_gtFine_labelTrainIds.png'), cv2.IMREAD_UNCHANGED)
            np.testing.assert_array_equal(label, expected_train_ids())
