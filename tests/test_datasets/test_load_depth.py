"""LoadDepthFromFile: finding the file, masking, normalisation, errors, and mmseg pipelines."""
import importlib
import os
import os.path as osp
import re

import cv2
import mmcv
import numpy as np
import pytest
import tifffile
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope

import mmpixdepth  # noqa: F401  (registers the transform)
from mmpixdepth.datasets.transforms import LoadDepthFromFile
from mmpixdepth.fileio import write_depth_png16
from helpers import write_pfm

H, W = 6, 8


def raw_depth():
    """uint16 depth in mm, unique per pixel, with a few missing (0) pixels."""
    ys, xs = np.mgrid[:H, :W]
    raw = (1000 + 100 * ys + 7 * xs).astype(np.uint16)
    raw[0, 0] = raw[2, 5] = raw[4, 1] = 0
    return raw


def make_pair(root, name='0001', split='train', img_suffix='.jpg', depth=None):
    """Write ``root/images/split/name`` and ``root/depth/split/name.png``; return both paths."""
    img_path = osp.join(str(root), 'images', split, name + img_suffix)
    depth_path = osp.join(str(root), 'depth', split, name + '.png')
    img = np.zeros((H, W, 3), np.uint8)
    img[..., 0] = np.arange(W)[None, :] * 10
    img[..., 1] = np.arange(H)[:, None] * 10
    mmcv.imwrite(img, img_path)
    write_depth_png16(depth_path, raw_depth() if depth is None else depth)
    return img_path, depth_path


def expected(raw, scale=1.0, invalid=(0, )):
    out = raw.astype(np.float32) * np.float32(scale)
    out[np.isin(raw, invalid)] = np.nan
    return out


def test_derives_the_depth_path_from_the_image_path(tmp_path):
    img_path, depth_path = make_pair(tmp_path)
    results = LoadDepthFromFile(normalize='none')(dict(img_path=img_path))
    assert results['depth_path'] == depth_path
    np.testing.assert_array_equal(results['depth'], expected(raw_depth()))
    assert results['depth'].dtype == np.float32 and results['depth'].shape == (H, W)


def test_only_the_last_img_dir_folder_is_replaced(tmp_path):
    root = tmp_path / 'images' / 'set'
    img_path, depth_path = make_pair(root)
    assert depth_path == str(tmp_path / 'images' / 'set' / 'depth' / 'train' / '0001.png')
    results = LoadDepthFromFile()(dict(img_path=img_path))
    assert results['depth_path'] == depth_path


def test_custom_folders_and_suffix(tmp_path):
    depth = np.random.default_rng(0).uniform(1, 5, (H, W)).astype(np.float32)
    img_path = str(tmp_path / 'rgb' / 'a' / 'x.tiff')
    (tmp_path / 'rgb' / 'a').mkdir(parents=True)
    cv2.imwrite(img_path, np.zeros((H, W, 3), np.uint8))
    (tmp_path / 'depth_m' / 'a').mkdir(parents=True)
    np.save(tmp_path / 'depth_m' / 'a' / 'x.npy', depth)
    tifffile.imwrite(tmp_path / 'depth_m' / 'a' / 'x.tiff', depth * 2)
    load = LoadDepthFromFile(img_dir='rgb', depth_dir='depth_m', depth_suffix='.npy',
                             normalize='none')
    out = load(dict(img_path=img_path))
    assert out['depth_path'] == str(tmp_path / 'depth_m' / 'a' / 'x.npy')
    np.testing.assert_array_equal(out['depth'], depth)
    keep = LoadDepthFromFile(img_dir='rgb', depth_dir='depth_m', depth_suffix=None,
                             normalize='none')
    np.testing.assert_array_equal(keep(dict(img_path=img_path))['depth'], depth * 2)


def test_explicit_key_wins_over_the_mapping(tmp_path):
    img_path, _ = make_pair(tmp_path)
    other = raw_depth()[::-1].copy()
    write_depth_png16(tmp_path / 'elsewhere.png', other)
    out = LoadDepthFromFile(normalize='none')(
        dict(img_path=img_path, depth_path=str(tmp_path / 'elsewhere.png')))
    np.testing.assert_array_equal(out['depth'], expected(other))
    out = LoadDepthFromFile(depth_key='depth_file', normalize='none', out_key='gt_depth')(
        dict(img_path=str(tmp_path / 'no_image_folder.jpg'),
             depth_file=str(tmp_path / 'elsewhere.png')))
    assert out['depth_path'] == str(tmp_path / 'elsewhere.png') and 'depth' not in out
    np.testing.assert_array_equal(out['gt_depth'], expected(other))


def test_mapping_that_cannot_apply_is_an_error(tmp_path):
    img_path = str(tmp_path / 'photos' / 'x.jpg')
    with pytest.raises(ValueError, match=re.escape(img_path) + '.*img_dir.*depth_dir'):
        LoadDepthFromFile()(dict(img_path=img_path))
    with pytest.raises(ValueError, match='no folder named .images.'):
        LoadDepthFromFile()(dict(img_path=str(tmp_path / 'images.jpg')))


def test_scale_and_invalid_values(tmp_path):
    raw = raw_depth()
    raw[3, 3] = 65535
    img_path, _ = make_pair(tmp_path, depth=raw)
    out = LoadDepthFromFile(scale=0.001, invalid_values=(0, 65535), normalize='none')(
        dict(img_path=img_path))['depth']
    np.testing.assert_allclose(out, expected(raw, 0.001, (0, 65535)), rtol=1e-7, equal_nan=True)
    assert np.isnan(out[3, 3]) and np.isnan(out[0, 0]) and np.isnan(out).sum() == 4
    none_invalid = LoadDepthFromFile(invalid_values=(), normalize='none')(
        dict(img_path=img_path))['depth']
    assert not np.isnan(none_invalid).any() and none_invalid[0, 0] == 0


def test_valid_range_applies_to_scaled_depth(tmp_path):
    img_path, _ = make_pair(tmp_path)
    out = LoadDepthFromFile(scale=0.001, valid_range=(1.2, 1.4), normalize='none')(
        dict(img_path=img_path))['depth']
    scaled = expected(raw_depth(), 0.001)
    keep = (scaled >= np.float32(1.2)) & (scaled <= np.float32(1.4))
    assert 0 < keep.sum() < keep.size
    np.testing.assert_array_equal(np.isnan(out), ~keep)
    np.testing.assert_array_equal(out[keep], scaled[keep])


@pytest.mark.parametrize('suffix', ['.tiff', '.npy', '.pfm'])
def test_nan_and_inf_become_invalid(tmp_path, suffix):
    depth = np.linspace(0.5, 4.0, H * W, dtype=np.float32).reshape(H, W)
    depth[1, 1], depth[2, 2], depth[3, 3] = np.nan, np.inf, -np.inf
    path = str(tmp_path / f'd{suffix}')
    {'.tiff': lambda: tifffile.imwrite(path, depth), '.npy': lambda: np.save(path, depth),
     '.pfm': lambda: write_pfm(path, depth)}[suffix]()
    out = LoadDepthFromFile(normalize='none')(dict(depth_path=path))['depth']
    assert np.isnan(out).sum() == 3
    assert np.isnan(out[1, 1]) and np.isnan(out[2, 2]) and np.isnan(out[3, 3])
    finite = np.isfinite(depth)
    np.testing.assert_array_equal(out[finite], depth[finite])


def test_minmax_normalisation(tmp_path):
    img_path, _ = make_pair(tmp_path)
    out = LoadDepthFromFile(scale=0.001)(dict(img_path=img_path))['depth']
    depth = expected(raw_depth(), 0.001)
    valid = ~np.isnan(depth)
    low, high = depth[valid].min(), depth[valid].max()
    hand = (depth - low) / (high - low)
    np.testing.assert_allclose(out, hand, rtol=1e-6, atol=1e-7, equal_nan=True)
    assert np.nanmin(out) == 0 and np.nanmax(out) == 1
    np.testing.assert_array_equal(np.isnan(out), ~valid)


def test_minmax_by_hand(tmp_path):
    np.save(tmp_path / 'd.npy', np.array([[2000, 4000], [0, 10000]], np.uint16))
    out = LoadDepthFromFile(scale=0.001)(dict(depth_path=str(tmp_path / 'd.npy')))['depth']
    # valid: 2, 4, 10 m -> (d - 2) / 8
    np.testing.assert_allclose(out, [[0, 0.25], [np.nan, 1]], equal_nan=True)


@pytest.mark.parametrize('kwargs', [{}, dict(normalize='none'),
                                    dict(normalize='range', norm_range=(0, 1000))])
def test_a_map_without_depth_differences_is_an_error(tmp_path, kwargs):
    raw = np.full((H, W), 1500, np.uint16)
    raw[0, :3] = 0
    if kwargs.get('normalize') == 'range':
        raw[1, 1] = 2000  # two values, both clipped to 1 by the range
    img_path, depth_path = make_pair(tmp_path, depth=raw)
    with pytest.raises(ValueError, match=re.escape(depth_path) + r' has no depth differences: '
                       r'its 45 valid pixels \(scaled depth 1500 to (1500|2000)\) all come out '
                       'equal under normalize'):
        LoadDepthFromFile(**kwargs)(dict(img_path=img_path))


@pytest.mark.parametrize('dtype', [np.float64, np.int64, np.uint32])
def test_wide_depth_is_normalised_before_the_float32_cast(tmp_path, dtype):
    """float64 transit times around 1.48e4 differing in the 5th decimal, and wide integers that
    float32 rounds: each distinct value stays distinct after normalisation."""
    ys, xs = np.mgrid[:H, :W]
    if dtype == np.float64:
        raw = 14770.0 + 1e-5 * (ys * W + xs)
    else:
        raw = (2 ** 28 + ys * W + xs).astype(dtype)
    path = tmp_path / 'transit.tiff'
    tifffile.imwrite(path, raw.astype(dtype))
    assert len(np.unique(raw.astype(np.float32))) < H * W  # float32 first would merge values
    out = LoadDepthFromFile(invalid_values=())(dict(depth_path=str(path)))['depth']
    assert out.dtype == np.float32 and len(np.unique(out)) == H * W
    np.testing.assert_allclose(out, (ys * W + xs) / (H * W - 1), atol=1e-6)


def test_range_normalisation_clips(tmp_path):
    img_path, _ = make_pair(tmp_path)
    out = LoadDepthFromFile(scale=0.001, normalize='range', norm_range=(1.1, 1.3))(
        dict(img_path=img_path))['depth']
    depth = expected(raw_depth(), 0.001)
    hand = np.clip((depth - 1.1) / (1.3 - 1.1), 0, 1)
    np.testing.assert_allclose(out, hand, rtol=1e-5, atol=1e-6, equal_nan=True)
    assert np.nanmin(out) == 0 and np.nanmax(out) == 1
    assert 0 < ((out > 0) & (out < 1)).sum()


def test_missing_depth_file_names_it_and_the_image(tmp_path):
    img_path, depth_path = make_pair(tmp_path)
    os.remove(depth_path)
    with pytest.raises(FileNotFoundError,
                       match=re.escape(depth_path) + '.*derived from image ' + re.escape(img_path)):
        LoadDepthFromFile()(dict(img_path=img_path))
    missing = str(tmp_path / 'missing.png')
    with pytest.raises(FileNotFoundError,
                       match=re.escape(missing) + r".*results\['depth_path'\].*" +
                       re.escape(img_path)):
        LoadDepthFromFile()(dict(img_path=img_path, depth_path=missing))


def test_corrupt_depth_file(tmp_path):
    img_path, depth_path = make_pair(tmp_path)
    with open(depth_path, 'wb') as f:
        f.write(b'this is not a png' * 10)
    with pytest.raises(ValueError, match='could not decode depth file ' + re.escape(depth_path)):
        LoadDepthFromFile()(dict(img_path=img_path))


def test_size_mismatch_states_both_sizes(tmp_path):
    from mmpretrain.registry import TRANSFORMS
    img_path, depth_path = make_pair(tmp_path, depth=raw_depth()[:H - 1].repeat(2, 1)[:, :W + 2])
    pipeline = [TRANSFORMS.build(dict(type='LoadImageFromFile')),
                TRANSFORMS.build(dict(type='LoadDepthFromFile'))]
    results = pipeline[0](dict(img_path=img_path))
    with pytest.raises(ValueError, match=re.escape(depth_path) + f' is {H - 1}x{W + 2}.*' +
                       re.escape(img_path) + f' is {H}x{W}'):
        pipeline[1](results)
    # Without the image loaded (or with check_size=False) there is nothing to compare.
    assert LoadDepthFromFile()(dict(img_path=img_path))['depth'].shape == (H - 1, W + 2)
    results = pipeline[0](dict(img_path=img_path))
    assert LoadDepthFromFile(check_size=False)(results)['depth'].shape == (H - 1, W + 2)
    results = dict(img_path=img_path, img=np.zeros((H, W, 3), np.uint8))
    with pytest.raises(ValueError, match=f'{H - 1}x{W + 2}.* is {H}x{W}'):
        LoadDepthFromFile()(results)


def test_every_pixel_invalid(tmp_path):
    img_path, depth_path = make_pair(tmp_path, depth=np.zeros((H, W), np.uint16))
    with pytest.raises(ValueError, match=re.escape(depth_path) + rf'.*{H * W} pixels.*'
                       r'invalid_values=\(0,\)'):
        LoadDepthFromFile()(dict(img_path=img_path))
    make_pair(tmp_path, depth=raw_depth())
    with pytest.raises(ValueError, match=r'every pixel .*valid_range=\(5\.0, 6\.0\)'):
        LoadDepthFromFile(scale=0.001, valid_range=(5, 6))(dict(img_path=img_path))


def test_multichannel_needs_channel(tmp_path):
    stack = np.stack([raw_depth(), raw_depth() * 2, raw_depth() + 5], axis=-1)
    path = str(tmp_path / 'c.pfm')
    write_pfm(path, stack.astype(np.float32))
    with pytest.raises(ValueError, match=re.escape(path) + ' has 3 channels.*channel='):
        LoadDepthFromFile()(dict(depth_path=path))
    out = LoadDepthFromFile(channel=1, normalize='none')(dict(depth_path=path))['depth']
    np.testing.assert_array_equal(out, expected(stack[..., 1]))


@pytest.mark.parametrize('kwargs, option', [
    (dict(normalize='zscore'), 'normalize'),
    (dict(normalize='range'), 'norm_range'),
    (dict(normalize='range', norm_range=(2, 1)), 'norm_range'),
    (dict(normalize='range', norm_range=(1, 2, 3)), 'norm_range'),
    (dict(norm_range=(0, 1)), 'norm_range'),
    (dict(valid_range=(3, 3)), 'valid_range'),
    (dict(scale=0), 'scale'),
    (dict(invalid_values='0'), 'invalid_values'),
    (dict(channel=-1), 'channel'),
    (dict(img_dir=''), 'img_dir'),
])
def test_invalid_options_fail_at_construction(kwargs, option):
    with pytest.raises(ValueError, match=option):
        LoadDepthFromFile(**kwargs)


@pytest.mark.parametrize('toolbox', ['mmpretrain', 'mmseg'])
def test_builds_from_a_config_dict(tmp_path, toolbox):
    registry = importlib.import_module(f'{toolbox}.registry').TRANSFORMS
    load = registry.build(dict(type='LoadDepthFromFile', scale=0.001, invalid_values=[0, 65535],
                               normalize='range', norm_range=[1.0, 1.5], out_key='d'))
    assert isinstance(load, LoadDepthFromFile)
    text = repr(load)
    for option in ("depth_key='depth_path'", "img_dir='images'", "depth_dir='depth'",
                   "depth_suffix='.png'", 'scale=0.001', 'invalid_values=(0, 65535)',
                   'valid_range=None', "normalize='range'", 'norm_range=(1.0, 1.5)',
                   'channel=None', "out_key='d'", 'check_size=True', 'backend_args=None'):
        assert option in text
    img_path, _ = make_pair(tmp_path)
    out = load(dict(img_path=img_path))['d']
    np.testing.assert_allclose(out, np.clip((expected(raw_depth(), 0.001) - 1.0) / 0.5, 0, 1),
                               rtol=1e-5, atol=1e-6, equal_nan=True)


def test_seg_fields_get_the_depth_once(tmp_path):
    img_path, _ = make_pair(tmp_path)
    load = LoadDepthFromFile()
    results = load(dict(img_path=img_path, seg_fields=['gt_seg_map']))
    assert results['seg_fields'] == ['gt_seg_map', 'depth']
    assert load(results)['seg_fields'] == ['gt_seg_map', 'depth']
    assert 'seg_fields' not in load(dict(img_path=img_path))


def seg_results(tmp_path):
    """Image (B = 10 x, G = 10 y), uint8 seg map and depth of one sample, as mmseg lays it out."""
    img_path, _ = make_pair(tmp_path, img_suffix='.png')
    seg = (np.arange(H * W).reshape(H, W) % 7).astype(np.uint8)
    seg_path = str(tmp_path / 'annotations' / 'train' / '0001.png')
    mmcv.imwrite(seg, seg_path)
    return dict(img_path=img_path, seg_map_path=seg_path, reduce_zero_label=False,
                seg_fields=[]), seg


def test_mmseg_flip_keeps_depth_aligned(tmp_path):
    results, seg = seg_results(tmp_path)
    with DefaultScope.overwrite_default_scope('mmseg'):
        pipeline = Compose([dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                            dict(type='LoadDepthFromFile', normalize='none'),
                            dict(type='RandomFlip', prob=1.0, direction='horizontal')])
        out = pipeline(results)
    assert out['flip'] and out['seg_fields'] == ['gt_seg_map', 'depth']
    depth = expected(raw_depth())
    # Each output pixel's image value says which source pixel it came from.
    src_x, src_y = out['img'][..., 0] // 10, out['img'][..., 1] // 10
    np.testing.assert_array_equal(src_x, np.arange(W)[::-1][None].repeat(H, 0))
    np.testing.assert_array_equal(out['depth'], depth[src_y, src_x])
    np.testing.assert_array_equal(out['gt_seg_map'], seg[src_y, src_x])


def test_mmseg_resize_and_flip_keep_depth_aligned_and_nan(tmp_path):
    results, seg = seg_results(tmp_path)
    with DefaultScope.overwrite_default_scope('mmseg'):
        pipeline = Compose([dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                            dict(type='LoadDepthFromFile', scale=0.001),
                            dict(type='RandomResize', scale=(W, H), ratio_range=(2.0, 2.0),
                                 keep_ratio=True),
                            dict(type='RandomFlip', prob=1.0, direction='vertical')])
        out = pipeline(results)
    load = LoadDepthFromFile(scale=0.001)(dict(img_path=results['img_path']))['depth']

    def resized_flipped(a):
        return np.repeat(np.repeat(a, 2, axis=0), 2, axis=1)[::-1]

    assert out['img'].shape[:2] == out['depth'].shape == out['gt_seg_map'].shape == (2 * H, 2 * W)
    np.testing.assert_array_equal(out['gt_seg_map'], resized_flipped(seg))
    np.testing.assert_array_equal(out['depth'], resized_flipped(load))
    assert np.isnan(out['depth']).sum() == 3 * 4
