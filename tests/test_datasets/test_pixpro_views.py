"""PixProViews (crop/flip convention, per-cell depth), RGBDFolderDataset, PixPro data configs."""
import os
import os.path as osp
import random
import re

import cv2
import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.registry import DefaultScope

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets import PixProViews, RGBDFolderDataset
from mmpixdepth.datasets.transforms.views import HueSafeColorJitter, adjust_hue

NO_COLOUR = [[], []]


def _seed(seed):
    np.random.seed(seed)
    random.seed(seed)


def _coord_image(height, width):
    """uint8 BGR image with x in channel 0 and y in channel 1 (H, W <= 256)."""
    y, x = np.mgrid[:height, :width]
    return np.stack([x, y, np.zeros_like(x)], -1).astype(np.uint8)


def _box(coord, height, width):
    """(i, j, h, w, flip) of a view, recovered from its coord."""
    x_ul, y_ul, x_lr, y_lr = coord.tolist()
    j = round(min(x_ul, x_lr) * (width - 1))
    w = round(abs(x_lr - x_ul) * (width - 1)) + 1
    i = round(y_ul * (height - 1))
    h = round((y_lr - y_ul) * (height - 1)) + 1
    return i, j, h, w, x_ul > x_lr


def _pixels(start, size, cells):
    """Brute force: pixel indices of each cell (pixel centre inside the cell's span)."""
    out = []
    for k in range(cells):
        inside = [start + p for p in range(size) if (2 * p + 1) * cells // (2 * size) == k]
        if not inside:  # no centre in the span: the first pixel after its start, in the crop
            first = next((p for p in range(size) if (2 * p + 1) * cells >= 2 * k * size),
                         size - 1)
            inside = [start + first]
        out.append(inside)
    return out


def _reference_cells(depth, box, cells):
    """Brute force: mean valid depth per cell with loops over cells and pixels."""
    i, j, h, w, flip = box
    rows, cols = _pixels(i, h, cells), _pixels(j, w, cells)
    out = np.full((cells, cells), np.nan)
    for r in range(cells):
        for c in range(cells):
            values = [depth[y, x] for y in rows[r] for x in cols[cells - 1 - c if flip else c]
                      if not np.isnan(depth[y, x])]
            if values:
                out[r, c] = sum(float(v) for v in values) / len(values)
    return out


def test_known_crop_gives_exact_coord_and_flip_swaps_x():
    height, width = 40, 60
    views = PixProViews(crop_size=64, feat_stride=16, view_pipelines=NO_COLOUR)
    views._sample_box = lambda img: (5, 10, 20, 30)
    img = _coord_image(height, width)
    for flip_prob, flipped in ((0.0, False), (1.0, True)):
        views.flip_prob = flip_prob
        out = views(dict(img=img.copy()))
        expected = [10 / 59, 5 / 39, 39 / 59, 24 / 39]
        if flipped:
            expected[0], expected[2] = expected[2], expected[0]
        assert out['coord'].dtype == torch.float32 and out['coord'].shape == (2, 4)
        assert torch.equal(out['coord'], torch.tensor([expected] * 2, dtype=torch.float32))
        view = out['img'][0]
        assert view.shape == (64, 64, 3) and view.dtype == np.uint8
        # the crop's left column (x = 10) is at the left of the view unless flipped
        left, right = view[:, 0, 0].astype(int), view[:, -1, 0].astype(int)
        assert (left.max(), right.min()) == ((39, 10) if flipped else (10, 39))
        assert out['img_shape'] == (64, 64)
        assert out['depth_cells'].shape == (2, 4, 4) and out['depth_cells'].isnan().all()


def test_whole_image_crop():
    views = PixProViews(crop_size=32, scale=(1.0, 1.0), ratio=(1.5, 1.5), flip_prob=0.0,
                        view_pipelines=NO_COLOUR)
    out = views(dict(img=_coord_image(20, 30)))
    assert torch.equal(out['coord'], torch.tensor([[0., 0., 1., 1.]] * 2))


@pytest.mark.parametrize('seed', range(6))
def test_image_and_depth_are_cropped_identically(seed):
    height, width, crop, cells = 150, 200, 64, 4
    views = PixProViews(crop_size=crop, feat_stride=crop // cells, view_pipelines=NO_COLOUR)
    img = _coord_image(height, width)
    depth_x = np.tile(np.arange(width, dtype=np.float32) / (width - 1), (height, 1))
    _seed(seed)
    out = views(dict(img=img, depth=depth_x))
    u = np.arange(crop)
    for view, coord, cell_depth in zip(out['img'], out['coord'], out['depth_cells']):
        x_ul, y_ul, x_lr, y_lr = (coord * torch.tensor([width - 1, height - 1] * 2)).tolist()
        w, h = abs(x_lr - x_ul) + 1, y_lr - y_ul + 1
        sign = 1 if x_lr >= x_ul else -1
        # bilinear resize of a ramp: the pixel centres of the view, mapped into the crop
        x = np.clip(x_ul + sign * ((u + 0.5) * w / crop - 0.5), min(x_ul, x_lr), max(x_ul, x_lr))
        y = np.clip(y_ul + (u + 0.5) * h / crop - 0.5, y_ul, y_lr)
        assert np.abs(view[0, :, 0] - x).max() <= 1.0
        assert np.abs(view[:, 0, 1] - y).max() <= 1.0
        # the depth of each cell is the mean x of the view's pixels in that cell
        view_x = view[..., 0].astype(float).reshape(cells, crop // cells, cells, crop // cells)
        assert np.abs(cell_depth.numpy() * (width - 1) - view_x.mean((1, 3))).max() < 1.0
        assert np.all(np.diff(cell_depth.numpy(), axis=1) * sign > 0)


@pytest.mark.parametrize('shape, crop, stride', [((37, 53), 128, 32), ((90, 41), 64, 8),
                                                  ((6, 11), 64, 8), ((3, 200), 224, 32)])
def test_cell_depth_matches_brute_force(shape, crop, stride):
    rng = np.random.default_rng(sum(shape) + crop)
    views = PixProViews(crop_size=crop, feat_stride=stride, view_pipelines=NO_COLOUR)
    cells = crop // stride
    height, width = shape
    for trial in range(12):
        depth = rng.random(shape).astype(np.float32)
        depth[rng.random(shape) < 0.3] = np.nan
        top, left = rng.integers(0, height), rng.integers(0, width)
        depth[top:top + height // 3 + 1, left:left + width // 3 + 1] = np.nan  # a large hole
        _seed(trial)
        out = views(dict(img=np.zeros(shape + (3, ), np.uint8), depth=depth))
        for coord, cell_depth in zip(out['coord'], out['depth_cells']):
            expected = _reference_cells(depth, _box(coord, height, width), cells)
            assert cell_depth.dtype == torch.float32 and cell_depth.shape == (cells, cells)
            np.testing.assert_array_equal(cell_depth.isnan().numpy(), np.isnan(expected))
            np.testing.assert_allclose(cell_depth.numpy(), expected, atol=1e-5, equal_nan=True)


def test_cells_follow_the_flip_and_empty_cells_are_nan():
    height, width = 32, 32
    depth = np.tile(np.arange(width, dtype=np.float32), (height, 1))
    depth[:, :16] = np.nan
    views = PixProViews(crop_size=64, feat_stride=16, view_pipelines=NO_COLOUR)
    views._sample_box = lambda img: (0, 0, 32, 32)
    for flip_prob in (0.0, 1.0):
        views.flip_prob = flip_prob
        cells = views(dict(img=_coord_image(height, width), depth=depth))['depth_cells'][0]
        # columns 0-7, 8-15 (all NaN), 16-23 (mean 19.5), 24-31 (mean 27.5)
        expected = torch.tensor([np.nan, np.nan, 19.5, 27.5])
        expected = expected.flip(0) if flip_prob else expected
        assert torch.allclose(cells, expected.expand(4, 4), equal_nan=True)


def test_depth_keeps_the_scale_of_the_map():
    """No renormalisation per view: a constant map stays constant in both views."""
    views = PixProViews(crop_size=64, feat_stride=32, view_pipelines=NO_COLOUR)
    out = views(dict(img=np.zeros((50, 50, 3), np.uint8), depth=np.full((50, 50), 0.25,
                                                                         np.float32)))
    assert torch.equal(out['depth_cells'], torch.full((2, 2, 2), 0.25))


def test_colour_pipelines_touch_only_the_images():
    img = (np.random.default_rng(0).random((80, 100, 3)) * 255).astype(np.uint8)
    depth = np.random.default_rng(1).random((80, 100)).astype(np.float32)
    plain = PixProViews(crop_size=64, feat_stride=16, view_pipelines=NO_COLOUR)
    colour = PixProViews(crop_size=64, feat_stride=16)  # BYOL recipe
    changed = 0
    for seed in range(8):
        _seed(seed)
        a = plain(dict(img=img.copy(), depth=depth.copy()))
        _seed(seed)
        b = colour(dict(img=img.copy(), depth=depth.copy()))
        assert torch.equal(a['coord'], b['coord'])
        assert torch.equal(a['depth_cells'], b['depth_cells'])
        assert all(v.shape == (64, 64, 3) and v.dtype == np.uint8 for v in b['img'])
        changed += sum(not np.array_equal(x, y) for x, y in zip(a['img'], b['img']))
    assert changed >= 8  # view 1 is always blurred


def test_deterministic_under_seed():
    img = (np.random.default_rng(0).random((70, 90, 3)) * 255).astype(np.uint8)
    depth = np.random.default_rng(1).random((70, 90)).astype(np.float32)
    views = PixProViews(crop_size=64, feat_stride=32)

    def run(seed):
        _seed(seed)
        return views(dict(img=img.copy(), depth=depth.copy()))

    a, b, c = run(3), run(3), run(4)
    assert torch.equal(a['coord'], b['coord'])
    assert torch.equal(a['depth_cells'], b['depth_cells'])
    assert all(np.array_equal(x, y) for x, y in zip(a['img'], b['img']))
    assert not torch.equal(a['coord'], c['coord'])


def test_checks():
    with pytest.raises(ValueError, match='multiple of feat_stride'):
        PixProViews(crop_size=100, feat_stride=32)
    with pytest.raises(ValueError, match='2 transform lists'):
        PixProViews(view_pipelines=[[]])
    with pytest.raises(ValueError, match='scale'):
        PixProViews(scale=(0.5, 0.1))
    views = PixProViews(crop_size=32, view_pipelines=NO_COLOUR)
    with pytest.raises(ValueError, match='depth map .* is 10x10 but image .* is 20x20'):
        views(dict(img=np.zeros((20, 20, 3), np.uint8), depth=np.zeros((10, 10), np.float32)))


def test_hue_safe_color_jitter():
    img = (np.random.default_rng(0).random((16, 16, 3)) * 255).astype(np.uint8)
    for hue in (0.0, 0.05, 0.1, 0.5):
        assert np.array_equal(adjust_hue(img, hue), mmcv.adjust_hue(img, hue, backend='pillow'))
    red = np.array([[[0, 0, 255]]], np.uint8)  # BGR
    assert adjust_hue(red, 0.1)[0, 0, 1] > 100 and adjust_hue(red, 0.1)[0, 0, 0] == 0  # orange
    assert adjust_hue(red, -0.1)[0, 0, 0] > 100 and adjust_hue(red, -0.1)[0, 0, 1] == 0  # pink
    jitter = HueSafeColorJitter(brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)
    _seed(0)
    for _ in range(20):
        assert jitter(dict(img=img.copy()))['img'].shape == img.shape


def test_pack_inputs_carries_coord_and_depth_cells():
    from mmpretrain.registry import TRANSFORMS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        views = TRANSFORMS.build(dict(type='PixProViews', crop_size=64, feat_stride=16))
        pack = TRANSFORMS.build(dict(type='PackInputs', algorithm_keys=['coord', 'depth_cells']))
    depth = np.random.default_rng(0).random((48, 64)).astype(np.float32)
    _seed(0)
    items = [pack(views(dict(img=np.zeros((48, 64, 3), np.uint8), depth=depth.copy(),
                             img_path='x.png'))) for _ in range(2)]
    inputs, sample = items[0]['inputs'], items[0]['data_samples']
    assert len(inputs) == 2 and all(v.shape == (3, 64, 64) and v.dtype == torch.uint8
                                    for v in inputs)
    assert isinstance(sample.coord, torch.Tensor) and sample.coord.shape == (2, 4)
    assert isinstance(sample.depth_cells, torch.Tensor) and sample.depth_cells.shape == (2, 4, 4)
    assert sample.img_shape == (64, 64)
    batch = default_collate(items)
    assert [tuple(v.shape) for v in batch['inputs']] == [(2, 3, 64, 64)] * 2
    assert torch.stack([s.depth_cells for s in batch['data_samples']]).shape == (2, 2, 4, 4)


def _write_tree(root, rel_images, rel_depths, size=(24, 32)):
    for rel in rel_images:
        os.makedirs(osp.dirname(osp.join(root, rel)), exist_ok=True)
        cv2.imwrite(osp.join(root, rel), np.full(size + (3, ), 100, np.uint8))
    for rel in rel_depths:
        os.makedirs(osp.dirname(osp.join(root, rel)), exist_ok=True)
        depth = np.arange(size[0] * size[1], dtype=np.uint16).reshape(size) + 1
        cv2.imwrite(osp.join(root, rel), depth)


def _build_dataset(**cfg):
    from mmpretrain.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return DATASETS.build(dict(type='RGBDFolderDataset', **cfg))


def test_rgbd_folder_scans_recursively(tmp_path):
    root = str(tmp_path)
    _write_tree(root, ['images/b/2.JPEG', 'images/a/1.jpg', 'images/a/sub/0.png'],
                ['depth/b/2.png', 'depth/a/1.png', 'depth/a/sub/0.png'])
    (tmp_path / 'images' / 'notes.txt').write_text('not an image')
    dataset = _build_dataset(data_root=root)
    assert isinstance(dataset, RGBDFolderDataset) and len(dataset) == 3
    infos = [dataset.get_data_info(k) for k in range(3)]
    assert [osp.relpath(i['img_path'], root) for i in infos] == [
        'images/a/1.jpg', 'images/a/sub/0.png', 'images/b/2.JPEG']
    assert [osp.relpath(i['depth_path'], root) for i in infos] == [
        'depth/a/1.png', 'depth/a/sub/0.png', 'depth/b/2.png']
    same_name = _build_dataset(data_root=root, img_suffixes=('.png', ), depth_suffix=None)
    assert osp.relpath(same_name.get_data_info(0)['depth_path'], root) == 'depth/a/sub/0.png'


def test_rgbd_folder_missing_depth(tmp_path, monkeypatch):
    root = str(tmp_path)
    _write_tree(root, [f'images/c/{k}.jpg' for k in range(8)], ['depth/c/0.png'])
    with pytest.raises(FileNotFoundError,
                       match=r'7 image\(s\) of 8 have no depth file: .*images/c/1.jpg -> '
                             r'.*depth/c/1.png; .* and 2 more; .*allow_missing_depth'):
        _build_dataset(data_root=root)
    dataset = _build_dataset(data_root=root, allow_missing_depth=True)
    assert len(dataset) == 8
    assert dataset.get_data_info(0)['depth_path'].endswith(osp.join('depth', 'c', '0.png'))
    assert all('depth_path' not in dataset.get_data_info(k) for k in range(1, 8))
    with pytest.raises(FileNotFoundError, match=r'image folder .*nowhere/images does not'):
        _build_dataset(data_root=str(tmp_path / 'nowhere'))
    with pytest.raises(FileNotFoundError, match=r'depth folder .*/none does not exist; images '
                       r'without depth get depth maps from tools/generate_depth.py'):
        _build_dataset(data_root=root, depth_prefix='none')
    monkeypatch.chdir(root)  # a relative path says where it was looked for
    with pytest.raises(FileNotFoundError, match=r'the image folder nowhere/images does not exist '
                       rf'\(relative to the current folder {re.escape(root)}: run from the '
                       r'folder that holds it, or give the dataset an absolute data_root'):
        _build_dataset(data_root='nowhere')
    with pytest.raises(FileNotFoundError, match=r'no image .* in .*/depth'):
        _build_dataset(data_root=root, img_prefix='depth', img_suffixes=('.jpg', ))


def _config(repo_root, name):
    return Config.fromfile(osp.join(repo_root, 'configs', '_base_', 'datasets', name + '.py'))


def test_synthetic_base_config(tiny_rgbd, repo_root):
    from mmpretrain.registry import DATASETS
    cfg = _config(repo_root, 'pixpro_synthetic_rgbd')
    loader = cfg.train_dataloader
    assert loader.batch_size == 16 and loader.drop_last and loader.persistent_workers
    assert loader.collate_fn == dict(type='default_collate')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        dataset = DATASETS.build(dict(loader.dataset, data_root=tiny_rgbd))
    assert len(dataset) == 8
    _seed(0)
    item = dataset[0]
    assert [tuple(v.shape) for v in item['inputs']] == [(3, 96, 96)] * 2
    sample = item['data_samples']
    assert sample.coord.shape == (2, 4) and sample.coord.dtype == torch.float32
    assert sample.depth_cells.shape == (2, 6, 6) and sample.depth_cells.dtype == torch.float32
    valid = sample.depth_cells[~sample.depth_cells.isnan()]
    assert valid.numel() > 36 and valid.min() >= 0 and valid.max() <= 1
    assert sample.img_path.endswith(osp.join('images', 'train', '00000.png'))


def test_other_base_configs_build(tmp_path, repo_root):
    from mmpretrain.registry import DATASETS
    root = str(tmp_path)
    _write_tree(root, ['imagenet/train/n01/a.JPEG', 'scannet/scene0/color/000000.jpg'],
                ['imagenet/train_depth/n01/a.png', 'scannet/scene0/depth/000000.png'])
    with open(osp.join(root, 'scannet', 'scannetv2_train.txt'), 'w') as f:
        f.write('scene0\n')
    os.makedirs(osp.join(root, 'borehole', 'amplitude', 'train'))
    os.makedirs(osp.join(root, 'borehole', 'transit_time', 'train'))
    grey = np.tile(np.arange(32, dtype=np.uint8) * 8, (24, 1))
    cv2.imwrite(osp.join(root, 'borehole', 'amplitude', 'train', '0001.png'), grey)
    transit = np.tile(np.linspace(0, 40, 32, dtype=np.float32), (24, 1))
    assert cv2.imwrite(osp.join(root, 'borehole', 'transit_time', 'train', '0001.tif'), transit)
    for name, data_root, crop in (('pixpro_imagenet_depth', 'imagenet', 224),
                                  ('pixpro_scannet', 'scannet', 224),
                                  ('pixpro_borehole', 'borehole', 224)):
        cfg = _config(repo_root, name)
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            dataset = DATASETS.build(
                dict(cfg.train_dataloader.dataset, data_root=osp.join(root, data_root)))
        assert len(dataset) == 1
        _seed(0)
        item = dataset[0]
        assert [tuple(v.shape) for v in item['inputs']] == [(3, crop, crop)] * 2, name
        assert item['data_samples'].depth_cells.shape == (2, 7, 7)
        if name == 'pixpro_borehole':
            for view in item['inputs']:  # grey stays grey: 3 equal channels
                assert torch.equal(view[0], view[1]) and torch.equal(view[1], view[2])
    assert _config(repo_root, 'pixpro_borehole').train_dataloader.batch_size == 64
    assert _config(repo_root, 'pixpro_imagenet_depth').train_dataloader.batch_size == 32
