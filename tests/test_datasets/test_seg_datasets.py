"""Segmentation datasets with depth: layouts, label values through the real pipelines, depth
loading and the errors about missing data, on tiny datasets written by each test."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS as PRETRAIN_DATASETS
from mmseg.registry import DATASETS as SEG_DATASETS

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets.nyuv2 import NYU40_CLASSES

RNG = np.random.default_rng(0)


def _write(path, array):
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(str(path), array), path


def _rgb(h, w):
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _depth_mm(h, w):
    """uint16 depth in mm with a missing (0) top-left pixel."""
    depth = RNG.integers(500, 5000, (h, w)).astype(np.uint16)
    depth[0, 0] = 0
    return depth


def _base_cfg(repo_root, name):
    return Config.fromfile(osp.join(repo_root, 'configs', '_base_', 'datasets', name))


def _train_and_val(repo_root, base, data_root):
    """The train and val datasets of the dataset base config ``base`` on ``data_root``."""
    cfg = _base_cfg(repo_root, base)
    return tuple(_build('mmseg', loader.dataset, data_root=data_root)
                 for loader in (cfg.train_dataloader, cfg.val_dataloader))


def _build(scope, cfg, **overrides):
    """Build ``cfg`` updated by ``overrides`` from the DATASETS registry of ``scope``."""
    registry = dict(mmseg=SEG_DATASETS, mmpretrain=PRETRAIN_DATASETS)[scope]
    with DefaultScope.overwrite_default_scope(scope):
        return registry.build(dict(cfg, **overrides))


def _item(dataset, index):
    with DefaultScope.overwrite_default_scope('mmseg'):
        return dataset[index]


def _load_depth(info, **kwargs):
    """Run LoadImageFromFile and LoadDepthFromFile (mmseg scope) on a data info."""
    from mmseg.registry import TRANSFORMS
    with DefaultScope.overwrite_default_scope('mmseg'):
        load_img = TRANSFORMS.build(dict(type='LoadImageFromFile'))
        load_depth = TRANSFORMS.build(dict(type='LoadDepthFromFile', **kwargs))
        return load_depth(load_img(dict(info)))


def _gt(item):
    return item['data_samples'].gt_sem_seg.data[0].numpy()


# --- Borehole ----------------------------------------------------------------------------------

BOREHOLE = dict(train=['w1_0000', 'w1_0001', 'w2_0000'], val=['w3_0000'])


@pytest.fixture
def borehole(tmp_path):
    """16-bit amplitude, float32 transit time (0 = missing), breakout masks (0, 1, 255)."""
    root = tmp_path / 'borehole'
    labels = {}
    for split, names in BOREHOLE.items():
        for name in names:
            _write(root / 'amplitude' / split / f'{name}.png',
                   RNG.integers(0, 65536, (40, 24), dtype=np.uint16))
            transit = RNG.uniform(50, 90, (40, 24)).astype(np.float32)
            transit[5:8, 3] = 0
            _write(root / 'transit_time' / split / f'{name}.tif', transit)
            label = np.zeros((40, 24), np.uint8)
            label[10:20, 4:9] = 1
            label[0, :] = 255
            _write(root / 'breakout' / split / f'{name}.png', label)
            labels[split, name] = label
    return str(root), labels


def test_borehole_from_base_config(borehole, repo_root):
    root, labels = borehole
    cfg = _base_cfg(repo_root, 'borehole_seg.py')
    assert [e['type'] for e in cfg.val_evaluator] == ['PerClassIoUMetric', 'BoundaryIoUMetric']
    for loader, split in ((cfg.train_dataloader, 'train'), (cfg.val_dataloader, 'val')):
        dataset = _build('mmseg', loader.dataset, data_root=root)
        assert len(dataset) == len(BOREHOLE[split])
        assert dataset.metainfo['classes'] == ('background', 'breakout')
        name = BOREHOLE[split][0]
        info = dataset.get_data_info(0)
        assert info['img_path'] == osp.join(root, 'amplitude', split, f'{name}.png')
        assert info['seg_map_path'] == osp.join(root, 'breakout', split, f'{name}.png')
        assert info['depth_path'] == osp.join(root, 'transit_time', split, f'{name}.tif')
        item = _item(dataset, 0)
        img = item['inputs']
        assert tuple(img.shape) == (3, 40, 24)
        assert torch.equal(img[0], img[1]) and torch.equal(img[0], img[2])  # grey as 3 channels
        if split == 'val':  # the test pipeline changes nothing, and loads the transit time
            np.testing.assert_array_equal(_gt(item), labels[split, name])
            assert tuple(item['data_samples'].gt_depth_map.data.shape) == (1, 40, 24)
        else:
            assert set(np.unique(_gt(item))) == {0, 1, 255}

    results = _load_depth(dataset.get_data_info(0), invalid_values=(0, ), normalize='none')
    depth = results['depth']
    assert depth.shape == (40, 24) and np.isnan(depth[5:8, 3]).all()
    assert np.isfinite(depth).sum() == 40 * 24 - 3 and 50 <= np.nanmin(depth) < 90


def test_borehole_without_annotations_for_pretraining(borehole):
    root, _ = borehole
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadDepthFromFile'),
        dict(type='PixProViews', crop_size=32, feat_stride=16, view_pipelines=[[], []]),
        dict(type='PackInputs', algorithm_keys=['coord', 'depth_cells']),
    ]
    dataset = _build('mmpretrain', dict(type='BoreholeDataset'), data_root=root,
                     data_prefix=dict(img_path='amplitude/train', seg_map_path=None),
                     depth_prefix='transit_time/train', pipeline=pipeline)
    assert type(dataset).__name__ == 'BoreholeDataset' and len(dataset) == 3
    assert 'seg_map_path' not in dataset.get_data_info(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        item = dataset[1]
    views = item['inputs']
    assert len(views) == 2 and all(tuple(view.shape) == (3, 32, 32) for view in views)
    sample = item['data_samples']
    assert tuple(sample.coord.shape) == (2, 4) and tuple(sample.depth_cells.shape) == (2, 2, 2)


# --- Cityscapes -------------------------------------------------------------------------------

CITYSCAPES = dict(train=[('aachen', 'aachen_000000_000019'), ('bremen', 'bremen_000001_000019')],
                  val=[('lindau', 'lindau_000000_000019')])


@pytest.fixture
def cityscapes(tmp_path):
    """16x32 frames, train-id labels, 16-bit disparity (0 = invalid)."""
    root = tmp_path / 'cityscapes'
    labels = {}
    for split, frames in CITYSCAPES.items():
        for city, frame in frames:
            _write(root / 'leftImg8bit' / split / city / f'{frame}_leftImg8bit.png', _rgb(16, 32))
            label = RNG.integers(0, 19, (16, 32)).astype(np.uint8)
            label[:2] = 255
            _write(root / 'gtFine' / split / city / f'{frame}_gtFine_labelTrainIds.png', label)
            disparity = RNG.integers(1, 30000, (16, 32)).astype(np.uint16)
            disparity[3, :4] = 0
            _write(root / 'disparity' / split / city / f'{frame}_disparity.png', disparity)
            labels[split, frame] = label
    return str(root), labels


def test_cityscapes_from_base_config(cityscapes, repo_root):
    root, labels = cityscapes
    train, val = _train_and_val(repo_root, 'cityscapes_rgbd_seg.py', root)
    assert len(train) == 2 and len(val) == 1 and len(val.metainfo['classes']) == 19
    info = train.get_data_info(1)
    assert info['img_path'] == osp.join(root, 'leftImg8bit', 'train', 'bremen',
                                        'bremen_000001_000019_leftImg8bit.png')
    assert info['seg_map_path'] == osp.join(root, 'gtFine', 'train', 'bremen',
                                            'bremen_000001_000019_gtFine_labelTrainIds.png')
    assert info['depth_path'] == osp.join(root, 'disparity', 'train', 'bremen',
                                          'bremen_000001_000019_disparity.png')

    item = _item(val, 0)  # the image is resized to 1024x2048, the label is kept
    assert tuple(item['inputs'].shape) == (3, 1024, 2048)
    np.testing.assert_array_equal(_gt(item), labels['val', 'lindau_000000_000019'])
    assert set(np.unique(_gt(_item(train, 0)))) <= set(range(19)) | {255}

    raw = cv2.imread(info['depth_path'], cv2.IMREAD_UNCHANGED)
    depth = _load_depth(info, scale=1 / 256, normalize='none')['depth']
    assert np.isnan(depth[3, :4]).all() and np.isfinite(depth).sum() == 16 * 32 - 4
    np.testing.assert_allclose(depth[4:], raw[4:] / 256, rtol=1e-6)


def test_cityscapes_missing_disparity_is_named(cityscapes):
    root, _ = cityscapes
    missing = osp.join(root, 'disparity', 'train', 'aachen', 'aachen_000000_000019_disparity.png')
    os.remove(missing)
    image = osp.join(root, 'leftImg8bit', 'train', 'aachen', 'aachen_000000_000019_leftImg8bit.png')
    with pytest.raises(FileNotFoundError) as error:
        _build('mmseg', dict(type='CityscapesRGBDDataset'), data_root=root,
               depth_prefix='disparity/train')
    message = str(error.value)
    assert message.startswith('CityscapesRGBDDataset: 1 image(s) of 2 have no depth file: ')
    assert f'{image} -> {missing}' in message
    with pytest.raises(FileNotFoundError,
                       match=r'CityscapesRGBDDataset: the depth folder .*/disparity/nowhere '
                             'does not exist'):
        _build('mmseg', dict(type='CityscapesRGBDDataset'), data_root=root,
               depth_prefix='disparity/nowhere')


# --- NYUv2 ------------------------------------------------------------------------------------

@pytest.fixture
def nyuv2(tmp_path):
    """Two train and one test 12x16 frames; labels 0 (unlabelled), 1, 5 and 40."""
    root = tmp_path / 'nyuv2'
    for split, names in (('train', ['0001', '0002']), ('test', ['0003'])):
        for name in names:
            _write(root / 'images' / split / f'{name}.png', _rgb(12, 16))
            _write(root / 'depth' / split / f'{name}.png', _depth_mm(12, 16))
            label = np.full((12, 16), 5, np.uint8)
            label[0] = 0
            label[1] = 1
            label[2] = 40
            _write(root / 'labels40' / split / f'{name}.png', label)
    return str(root)


def test_nyuv2_from_base_config(nyuv2, repo_root):
    train, test = _train_and_val(repo_root, 'nyuv2_seg.py', nyuv2)
    assert len(train) == 2 and len(test) == 1
    assert test.metainfo['classes'] == NYU40_CLASSES and len(NYU40_CLASSES) == 40
    assert len(test.metainfo['palette']) == 40
    info = test.get_data_info(0)
    assert info['img_path'] == osp.join(nyuv2, 'images', 'test', '0003.png')
    assert info['seg_map_path'] == osp.join(nyuv2, 'labels40', 'test', '0003.png')
    assert info['depth_path'] == osp.join(nyuv2, 'depth', 'test', '0003.png')

    gt = _gt(_item(test, 0))  # reduce_zero_label: 0 -> 255, i -> i - 1
    assert (gt[0] == 255).all() and (gt[1] == 0).all() and (gt[2] == 39).all()
    assert (gt[3:] == 4).all()
    assert set(np.unique(_gt(_item(train, 0)))) <= {0, 4, 39, 255}

    raw = cv2.imread(info['depth_path'], cv2.IMREAD_UNCHANGED)
    depth = _load_depth(info, scale=0.001, normalize='none')['depth']
    assert np.isnan(depth[0, 0]) and np.isfinite(depth).sum() == 12 * 16 - 1
    np.testing.assert_allclose(depth[1:], raw[1:] / 1000, rtol=1e-6)


def test_nyuv2_missing_or_empty_folders_are_named(nyuv2, tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r'NYUv2SegDataset: the image folder .*/nowhere/images/train does '
                             'not exist'):
        _build('mmseg', dict(type='NYUv2SegDataset'), data_root=str(tmp_path / 'nowhere'))
    os.makedirs(tmp_path / 'empty' / 'images' / 'train')
    os.makedirs(tmp_path / 'empty' / 'labels40' / 'train')
    with pytest.raises(FileNotFoundError,
                       match=r'NYUv2SegDataset: no image \*\.png \(in any case\) in '
                             '.*/empty/images/train'):
        _build('mmseg', dict(type='NYUv2SegDataset'), data_root=str(tmp_path / 'empty'))
    os.remove(osp.join(nyuv2, 'labels40', 'train', '0002.png'))
    with pytest.raises(FileNotFoundError,
                       match=r'1 image\(s\) of 2 have no annotation file: .*images/train/0002.png '
                             r'-> .*labels40/train/0002.png'):
        _build('mmseg', dict(type='NYUv2SegDataset'), data_root=nyuv2)


# --- ScanNet frames ---------------------------------------------------------------------------

SCANNET = dict(scene0000_00=['000000', '000100'], scene0001_00=['000000'])
#: NYU40 id -> benchmark class: the 20 classes are 0..19, anything else 255.
SCANNET_IDS = {0: 255, 1: 0, 13: 255, 14: 12, 39: 19, 40: 255}


@pytest.fixture
def scannet(tmp_path):
    """Two scenes of 8x10 frames with one row per NYU40 id of ``SCANNET_IDS``, the split files,
    and a folder that is not a scene."""
    root = tmp_path / 'scannet'
    for scene, frames in SCANNET.items():
        for frame in frames:
            _write(root / scene / 'color' / f'{frame}.jpg', _rgb(8, 10))
            _write(root / scene / 'depth' / f'{frame}.png', _depth_mm(8, 10))
            label = np.repeat(np.array(list(SCANNET_IDS), np.uint8)[:, None], 10, axis=1)
            _write(root / scene / 'label' / f'{frame}.png', np.vstack([label, label[:2]]))
    (root / 'scannetv2_train.txt').write_text('scene0000_00\n')
    (root / 'scannetv2_val.txt').write_text('scene0001_00\n')
    os.makedirs(root / 'not_a_scene')
    return str(root)


def test_scannet_from_base_config(scannet, repo_root):
    train, val = _train_and_val(repo_root, 'scannet_frames_seg.py', scannet)
    assert len(train) == 2 and len(val) == 1
    classes = train.metainfo['classes']
    assert len(classes) == 20 and classes[12] == 'desk' and classes[19] == 'otherfurniture'
    info = train.get_data_info(1)
    assert info['img_path'] == osp.join(scannet, 'scene0000_00', 'color', '000100.jpg')
    assert info['seg_map_path'] == osp.join(scannet, 'scene0000_00', 'label', '000100.png')
    assert info['depth_path'] == osp.join(scannet, 'scene0000_00', 'depth', '000100.png')

    gt = _gt(_item(val, 0))
    assert gt.shape == (8, 10)
    for row, expected in enumerate(SCANNET_IDS.values()):
        assert (gt[row] == expected).all(), (row, expected)
    assert set(np.unique(_gt(_item(train, 0)))) <= {0, 12, 19, 255}

    depth = _load_depth(info, invalid_values=(0, ))['depth']
    assert depth.shape == (8, 10) and np.isnan(depth[0, 0]) and np.nanmax(depth) == 1


def test_scannet_scene_selection_and_class_subset(scannet):
    every = _build('mmseg', dict(type='ScanNetFramesDataset'), data_root=scannet)
    assert len(every) == 3 and 'depth_path' not in every.get_data_info(0)
    listed = _build('mmseg', dict(type='ScanNetFramesDataset'), data_root=scannet,
                    scenes=['scene0001_00'])
    assert [info['img_path'] for info in listed.load_data_list()] == [
        osp.join(scannet, 'scene0001_00', 'color', '000000.jpg')]

    subset = _build('mmseg', dict(type='ScanNetFramesDataset'), data_root=scannet,
                    scenes=['scene0001_00'], metainfo=dict(classes=('otherfurniture', 'desk')),
                    pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                              dict(type='PackSegInputs')])
    assert subset.metainfo['palette'] == [[82, 84, 163], [247, 182, 210]]
    gt = _gt(_item(subset, 0))  # desk (14) -> 1, otherfurniture (39) -> 0, wall (1) -> 255
    assert (gt[3] == 1).all() and (gt[4] == 0).all() and (gt[1] == 255).all()


def test_scannet_errors_name_what_is_missing(scannet):
    with pytest.raises(FileNotFoundError,
                       match=r'ScanNetFramesDataset: the split file .*/scannet/nosuch.txt does '
                             'not exist'):
        _build('mmseg', dict(type='ScanNetFramesDataset'), data_root=scannet,
               scenes='nosuch.txt')
    with pytest.raises(FileNotFoundError,
                       match=r'the image folder .*/scannet/scene9999_00/color does not exist'):
        _build('mmseg', dict(type='ScanNetFramesDataset'), data_root=scannet,
               scenes=['scene0000_00', 'scene9999_00'])
    os.remove(osp.join(scannet, 'scene0000_00', 'depth', '000100.png'))
    with pytest.raises(FileNotFoundError,
                       match=r'ScanNetFramesDataset: 1 image\(s\) of 3 have no depth file: '
                             r'.*scene0000_00/color/000100.jpg -> .*scene0000_00/depth/000100.png'):
        _build('mmseg', dict(type='ScanNetFramesDataset'), data_root=scannet,
               depth_prefix='depth')


def test_scannet_colour_larger_than_depth_is_rejected(scannet):
    _write(osp.join(scannet, 'scene0001_00', 'color', '000000.jpg'), _rgb(16, 20))
    dataset = _build('mmseg', dict(type='ScanNetFramesDataset'), data_root=scannet,
                     scenes=['scene0001_00'], depth_prefix='depth')
    with pytest.raises(ValueError, match=r'depth map .*000000.png is 8x10 .* is 16x20'):
        _load_depth(dataset.get_data_info(0))


def test_supervised_reference_mirrors_image_and_label_alike(tiny_rgbd, repo_root):
    """The synthetic supervised reference's training pipeline mirrors each image about one of the
    square's 4 symmetry axes, and its label map with it."""
    import random

    from mmpixdepth.utils import load_config
    cfg = load_config(osp.join(repo_root, 'configs/deeplabv3/'
                               'deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py'),
                      {'train_dataloader.dataset.data_root': tiny_rgbd})
    plain = dict(cfg.train_dataloader.dataset,
                 pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                           dict(type='PackSegInputs')])
    with DefaultScope.overwrite_default_scope('mmseg'):
        train = SEG_DATASETS.build(cfg.train_dataloader.dataset)
        original = SEG_DATASETS.build(plain)[0]
    img0, seg0 = original['inputs'].numpy(), original['data_samples'].gt_sem_seg.data.numpy()
    mirrors = {'horizontal': lambda a: a[..., ::-1], 'vertical': lambda a: a[..., ::-1, :],
               'diagonal': lambda a: a.swapaxes(-1, -2),
               'anti-diagonal': lambda a: a.swapaxes(-1, -2)[..., ::-1, ::-1]}
    random.seed(0)
    np.random.seed(0)
    seen = set()
    for _ in range(40):
        item = train[0]
        img, seg = item['inputs'].numpy(), item['data_samples'].gt_sem_seg.data.numpy()
        names = [n for n, f in mirrors.items() if np.array_equal(f(img0), img)]
        assert len(names) == 1, 'the image is not one mirror image of the original'
        assert np.array_equal(mirrors[names[0]](seg0), seg), f'label not mirrored ({names[0]})'
        seen.add(names[0])
    assert seen == set(mirrors)


# --- labels outside the classes ----------------------------------------------------------------

@pytest.mark.parametrize('split', ['train', 'val'])
def test_labels_outside_the_classes_are_named_in_every_split(borehole, repo_root, split):
    root, _ = borehole
    name = BOREHOLE[split][0]
    path = osp.join(root, 'breakout', split, f'{name}.png')
    label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    label[30:32, 0:3] = 200  # 6 pixels of a class the set does not have; 255 stays ignored
    _write(path, label)
    cfg = _base_cfg(repo_root, 'borehole_seg.py')
    loader = cfg.train_dataloader if split == 'train' else cfg.val_dataloader
    dataset = _build('mmseg', loader.dataset, data_root=root)
    assert 'CheckSegLabels(num_classes=2, ignore_index=255)' in repr(dataset.pipeline)
    with pytest.raises(ValueError, match=rf'label map {path} holds the label\(s\) 200 at 6 pixels, '
                       r'outside the 2 classes \(0-1\) and not the ignore index 255'):
        _item(dataset, 0)
    if split == 'train':  # the other files load
        _item(dataset, 1)
