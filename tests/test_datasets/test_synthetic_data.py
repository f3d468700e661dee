import filecmp
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets import generate_synthetic_rgbd
from mmpixdepth.datasets.synthetic import CLASSES, KINDS, SPLITS

NUM = dict(train=8, val=2)  # the ``tiny_rgbd`` fixture: 64x64, seed 0


def _files(root, kind, split):
    return sorted(os.listdir(osp.join(root, kind, split)))


def _read(root, kind, split, name):
    flag = cv2.IMREAD_COLOR if kind == 'images' else cv2.IMREAD_UNCHANGED
    return cv2.imread(osp.join(root, kind, split, name), flag)


def _samples(root):
    """(image BGR uint8, depth uint16, label uint8) of every sample."""
    return [tuple(_read(root, kind, split, name) for kind in KINDS)
            for split in SPLITS for name in _files(root, 'images', split)]


def _same_files(a, b):
    names = [osp.join(kind, split, name) for kind in KINDS for split in SPLITS
             for name in _files(a, kind, split)]
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    return not mismatch and not errors and all(
        _files(a, kind, split) == _files(b, kind, split) for kind in KINDS for split in SPLITS)


def _erode(mask, px):
    kernel = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.erode(mask.astype(np.uint8), kernel) > 0


def test_layout_and_meta(tiny_rgbd):
    for kind in KINDS:
        for split in SPLITS:
            assert _files(tiny_rgbd, kind, split) == [f'{i:05d}.png' for i in range(NUM[split])]
    meta = json.load(open(osp.join(tiny_rgbd, 'meta.json')))
    assert meta['classes'] == list(CLASSES) and len(meta['palette']) == len(CLASSES)
    assert meta['depth'] == dict(unit='mm', dtype='uint16', invalid_value=0)
    assert meta['counts'] == NUM and meta['size'] == 64 and meta['seed'] == 0
    assert 'objects' not in meta  # default object options: the meta of earlier sets
    img, depth, label = _samples(tiny_rgbd)[0]
    assert img.shape == (64, 64, 3) and img.dtype == np.uint8
    assert depth.shape == (64, 64) and depth.dtype == np.uint16
    assert label.shape == (64, 64) and label.dtype == np.uint8


def test_deterministic_whatever_the_workers(tiny_rgbd, tmp_path):
    generate_synthetic_rgbd(str(tmp_path / 'a'), 8, 2, size=64, seed=0, workers=2)
    assert _same_files(tiny_rgbd, str(tmp_path / 'a'))
    generate_synthetic_rgbd(str(tmp_path / 'b'), 8, 2, size=64, seed=1, workers=1)
    for split in SPLITS:
        for name in _files(tiny_rgbd, 'images', split):
            assert not np.array_equal(
                _read(tiny_rgbd, 'images', split, name), _read(tmp_path / 'b', 'images', split,
                                                              name))


def test_small_objects_option(tiny_rgbd, tmp_path, tool_main, capsys):
    """object_scale=0.5 leaves >= 90 % of the pixels to the background (about 78 % by
    default); the same scenes otherwise (seeds, classes, depth order)."""
    from mmpixdepth.datasets.synthetic import render_scene
    shares = {}
    for scale in (1.0, 0.5):
        labels = [render_scene(np.random.default_rng([0, 0, i]), 128, scale)[2] for i in range(40)]
        shares[scale] = np.mean([(label == 0).mean() for label in labels])
    assert shares[1.0] < 0.85 and shares[0.5] >= 0.9, shares
    one = render_scene(np.random.default_rng([0, 0, 3]), 64, 1.0, (1, 1))[2]
    assert len(np.unique(one)) <= 2  # background and one object at most
    out = str(tmp_path / 'small')
    main = tool_main('generate_synthetic_data.py')
    argv = ['--out', out, '--num-train', '2', '--num-val', '1', '--size', '64', '--workers', '1',
            '--object-scale', '0.5', '--num-objects', '1', '3']
    assert main(argv) == 0
    meta = json.load(open(osp.join(out, 'meta.json')))
    assert meta['objects'] == dict(scale=0.5, count=[1, 3])
    assert main(argv[:-5]) == 1  # other options than the set's: refused without --overwrite
    capsys.readouterr()
    assert main(argv[:-1] + ['0']) == 2
    assert 'num_objects must be (min, max)' in capsys.readouterr().err
    with pytest.raises(ValueError, match='object_scale must be'):
        generate_synthetic_rgbd(out, 1, 1, size=32, object_scale=0)


def test_depth_is_smooth_with_holes_at_edges(tiny_rgbd):
    in_band, elsewhere = [], []
    for _, depth, label in _samples(tiny_rgbd):
        edges = np.zeros(label.shape, bool)
        edges[1:] |= label[1:] != label[:-1]
        edges[:, 1:] |= label[:, 1:] != label[:, :-1]
        band = cv2.dilate(edges.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        in_band.append(np.mean(depth[band] == 0))
        elsewhere.append(np.mean(depth[~band] == 0))
        valid = depth[~band & (depth > 0)].astype(float)
        assert valid.min() >= 500 and valid.max() <= 8000  # millimetres
    assert min(in_band) > 0.25 and max(elsewhere) < 0.08 and np.mean(elsewhere) < 0.03


def test_classes_by_shape_and_texture_not_depth(tiny_rgbd):
    depths, stds = {}, []
    for img, depth, label in _samples(tiny_rgbd):
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(float)
        for cls in np.unique(label[label > 0]):
            inside = _erode(label == cls, 2)
            if (inside & (depth > 0)).sum() > 10:
                depths.setdefault(int(cls), []).append(np.median(depth[inside & (depth > 0)]))
                stds.append(gray[inside].std())
    assert len(depths) >= 4
    spreads = [np.ptp(d) for d in depths.values() if len(d) >= 2]
    assert len(spreads) >= 3 and min(spreads) > 500 and max(spreads) > 1500
    assert np.median(stds) > 15 and np.mean(np.array(stds) > 10) > 0.75


def test_depth_loads_through_load_depth_from_file(tiny_rgbd):
    from mmpretrain.registry import TRANSFORMS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        load = TRANSFORMS.build(dict(type='LoadDepthFromFile'))
    path = osp.join(tiny_rgbd, 'depth', 'train', '00000.png')
    raw = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    depth = load(dict(img_path=osp.join(tiny_rgbd, 'images', 'train', '00000.png'),
                      depth_path=path))['depth']
    assert depth.shape == raw.shape and depth.dtype == np.float32
    assert np.array_equal(np.isnan(depth), raw == 0)
    assert np.corrcoef(depth[raw > 0], raw[raw > 0])[0, 1] > 0.999


def test_pretraining_dataset(tiny_rgbd):
    from mmpretrain.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        dataset = DATASETS.build(dict(
            type='SyntheticRGBDDataset', data_root=tiny_rgbd, split='val',
            pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadDepthFromFile')]))
    assert len(dataset) == NUM['val']
    info = dataset.get_data_info(1)
    assert info['img_path'].endswith(osp.join('images', 'val', '00001.png'))
    assert info['depth_path'].endswith(osp.join('depth', 'val', '00001.png'))
    assert info['seg_map_path'].endswith(osp.join('annotations', 'val', '00001.png'))
    item = dataset[1]
    assert item['img'].shape == (64, 64, 3) and item['depth'].shape == (64, 64)
    assert np.isnan(item['depth']).any() and np.isfinite(item['depth']).mean() > 0.7


def test_seg_dataset(tiny_rgbd):
    from mmseg.registry import DATASETS
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackSegInputs')
    ]
    with DefaultScope.overwrite_default_scope('mmseg'):
        dataset = DATASETS.build(dict(
            type='SyntheticRGBDSegDataset', data_root=tiny_rgbd, depth_prefix='depth/train',
            pipeline=pipeline))
        no_depth = DATASETS.build(dict(
            type='SyntheticRGBDSegDataset', data_root=tiny_rgbd,
            data_prefix=dict(img_path='images/val', seg_map_path='annotations/val')))
        item = dataset[0]
    assert len(dataset) == NUM['train'] and len(no_depth) == NUM['val']
    assert dataset.metainfo['classes'] == CLASSES
    assert dataset.get_data_info(3)['depth_path'].endswith(osp.join('depth', 'train', '00003.png'))
    assert 'depth_path' not in no_depth.get_data_info(0)
    assert tuple(item['inputs'].shape) == (3, 64, 64)
    seg = item['data_samples'].gt_sem_seg.data
    assert tuple(seg.shape) == (1, 64, 64) and int(seg.max()) < len(CLASSES)


def test_base_config_builds(tiny_rgbd, repo_root):
    from mmseg.registry import DATASETS
    cfg = Config.fromfile(osp.join(repo_root, 'configs', '_base_', 'datasets',
                                   'synthetic_rgbd_seg.py'))
    assert [e['type'] for e in cfg.val_evaluator] == ['PerClassIoUMetric', 'BoundaryIoUMetric']
    with DefaultScope.overwrite_default_scope('mmseg'):
        for loader, split in ((cfg.train_dataloader, 'train'), (cfg.val_dataloader, 'val')):
            dataset = DATASETS.build(dict(loader.dataset, data_root=tiny_rgbd))
            assert len(dataset) == NUM[split]
            assert dataset.get_data_info(0)['depth_path'].endswith(
                osp.join('depth', split, '00000.png'))
            assert tuple(dataset[0]['inputs'].shape) == (3, 64, 64)
        # the depth of the metric's edge_mIoU, at the label's size
        assert tuple(dataset[0]['data_samples'].gt_depth_map.data.shape) == (1, 64, 64)


def test_missing_folders_and_files_are_named(tiny_rgbd, tmp_path):
    from mmpretrain.registry import DATASETS
    root = tmp_path / 'partial'
    for kind in ('images', 'depth'):
        os.makedirs(root / kind / 'train')
    for i in range(2):
        (root / 'images' / 'train' / f'{i:05d}.png').write_bytes(b'')
    (root / 'depth' / 'train' / '00000.png').write_bytes(b'')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        with pytest.raises(FileNotFoundError, match='nowhere/images/train'):
            DATASETS.build(dict(type='SyntheticRGBDDataset', data_root=str(tmp_path / 'nowhere')))
        with pytest.raises(FileNotFoundError,
                           match='1 image.*00001.png -> .*depth/train/00001.png'):
            DATASETS.build(dict(type='SyntheticRGBDDataset', data_root=str(root)))


def test_cli_generates_then_skips(tmp_path, tool_main, capsys):
    out = str(tmp_path / 'set')
    main = tool_main('generate_synthetic_data.py')
    argv = ['--out', out, '--num-train', '3', '--num-val', '1', '--size', '32', '--workers', '1']
    assert main(argv) == 0
    assert 'wrote 3 train + 1 val' in capsys.readouterr().out
    stamp = os.stat(osp.join(out, 'images', 'train', '00000.png')).st_mtime_ns
    assert main(argv) == 0 and 'nothing to do' in capsys.readouterr().out
    assert os.stat(osp.join(out, 'images', 'train', '00000.png')).st_mtime_ns == stamp
    assert main(argv + ['--seed', '1']) == 1 and '--overwrite' in capsys.readouterr().err
