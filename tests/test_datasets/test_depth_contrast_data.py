"""3DPM data for Depth Contrast: transforms, dataset, label fractions, splits, generator, metric."""
import filecmp
import os
import os.path as osp
import shutil

import cv2
import mmcv
import numpy as np
import pytest
import torch
from mmengine.dataset import Compose
from mmpretrain.registry import TRANSFORMS
from mmpretrain.structures import DataSample

from mmpixdepth.datasets import (ThreeDPMDataset, generate_synthetic_3dpm, stratified_fraction,
                                 stratified_split)
from mmpixdepth.datasets.three_dpm import CLASSES
from mmpixdepth.datasets.transforms import (DepthToImage, MergeModalities, ModalityViews,
                                            PairedRandomResizedCrop)
from mmpixdepth.evaluation import WeightedF1Metric
from helpers import LOAD_3DPM, PER_CLASS_3DPM

def copy_of(root, tmp_path):
    target = str(tmp_path / 'copy')
    shutil.copytree(root, target)
    return target


# ----------------------------------------------------------------------------- transforms


def crop_of(array, bbox, size, flip):
    """What the paired crop must give for one map: crop ``bbox``, resize, maybe flip."""
    out = mmcv.imresize(mmcv.imcrop(array, bbox), (size, size), interpolation='bilinear')
    return mmcv.imflip(out) if flip else out


def test_paired_crop_applies_one_crop_and_flip_to_both_maps():
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur(rng.integers(0, 256, (48, 64)).astype(np.uint8), (0, 0), 1.5)
    depth = img.astype(np.float32) / 255  # the same picture, another dtype and scale
    crop = PairedRandomResizedCrop(scale=24, keys=('depth', 'img'), crop_ratio_range=(0.1, 1))
    boxes, flips = set(), set()
    for seed in range(30):
        np.random.seed(seed)
        out = crop(dict(img=img.copy(), depth=depth.copy()))
        assert out['img'].shape == out['depth'].shape == (24, 24)
        assert out['img_shape'] == (24, 24)
        np.testing.assert_allclose(out['depth'] * 255, out['img'], atol=1)  # uint8 rounding
        np.testing.assert_array_equal(out['img'], crop_of(img, out['crop_bbox'], 24, out['flip']))
        boxes.add(tuple(out['crop_bbox']))
        flips.add(out['flip'])
    assert len(boxes) > 20 and flips == {True, False}


def test_paired_crop_on_a_real_sample_keeps_the_modalities_aligned(tiny_3dpm):
    info = ThreeDPMDataset(tiny_3dpm).get_data_info(0)
    full = Compose([TRANSFORMS.build(t) for t in LOAD_3DPM])(dict(info))
    pipeline = Compose([TRANSFORMS.build(t) for t in LOAD_3DPM + [
        dict(type='PairedRandomResizedCrop', scale=16, keys=('depth', 'img')),
        dict(type='ModalityViews', keys=('depth', 'img'), channels=3),
    ]])
    for seed in range(5):
        np.random.seed(seed)
        out = pipeline(dict(info))
        depth_view, reflectance_view = out['img']
        assert depth_view.shape == reflectance_view.shape == (16, 16, 3)
        assert depth_view.dtype == reflectance_view.dtype == np.float32
        bbox, flip = out['crop_bbox'], out['flip']
        np.testing.assert_allclose(depth_view[..., 1], crop_of(full['depth'], bbox, 16, flip),
                                   rtol=1e-6)
        np.testing.assert_array_equal(reflectance_view[..., 2],
                                      crop_of(full['img'], bbox, 16, flip))


def test_paired_crop_refuses_maps_of_different_sizes():
    crop = PairedRandomResizedCrop(scale=8)
    with pytest.raises(ValueError, match=r"'depth' 10x12, 'img' 10x11"):
        crop(dict(img=np.zeros((10, 11), np.uint8), depth=np.zeros((10, 12), np.float32)))


@pytest.mark.parametrize('fill,expected', [('zero', 0.), ('mean', 0.5 * 255)])
def test_depth_to_image_fills_invalid_pixels(fill, expected):
    depth = np.array([[0., 1.], [np.nan, 0.5]], np.float32)
    out = DepthToImage(fill=fill)(dict(depth=depth))['depth']
    assert out.dtype == np.float32 and np.isfinite(out).all()
    np.testing.assert_allclose(out, [[0, 255], [expected, 127.5]])


def test_depth_to_image_refuses_unnormalised_depth():
    with pytest.raises(ValueError, match=r"normalised to \[0, 1\].*spans \[0, 1500\].*minmax"):
        DepthToImage()(dict(depth=np.array([[0., 1500.]], np.float32), depth_path='d.png'))


def test_views_are_tiled_or_single_channel_and_merge_keeps_the_channel_order():
    results = dict(img=np.full((4, 5), 7, np.uint8), depth=np.full((4, 5), 200., np.float32))
    tiled = ModalityViews(channels=3)(dict(results))['img']
    assert [v.shape for v in tiled] == [(4, 5, 3)] * 2
    assert (tiled[0] == 200).all() and (tiled[1] == 7).all()
    single = ModalityViews(channels=1)(dict(results))['img']
    assert [v.shape for v in single] == [(4, 5, 1)] * 2
    merged = MergeModalities()(dict(results))
    assert merged['img'].shape == (4, 5, 3) and merged['img'].dtype == np.float32
    assert merged['img'][0, 0].tolist() == [200, 7, 200]
    with pytest.raises(ValueError, match='grayscale'):
        MergeModalities()(dict(results, img=np.zeros((4, 5, 3), np.uint8)))


def test_classification_pipeline_of_the_config(tiny_3dpm, repo_root):
    from mmpixdepth.utils import load_config
    cfg = load_config(osp.join(repo_root, 'configs/depthcontrast/benchmarks/resnet18_1xb16-rrc-20e_synthetic3dpm.py'))
    dataset = ThreeDPMDataset(tiny_3dpm, ann_file='splits/val.txt',
                              pipeline=cfg.val_dataloader.dataset.pipeline)
    item = dataset[0]
    assert item['inputs'].shape == (3, 56, 56)
    assert torch.equal(item['inputs'][0], item['inputs'][2])  # depth, reflectance, depth
    assert not torch.equal(item['inputs'][0], item['inputs'][1])
    assert item['data_samples'].gt_label.item() == dataset.get_data_info(0)['gt_label']


# ----------------------------------------------------------------------------- dataset


def test_dataset_lists_every_sample_with_its_depth_and_class(tiny_3dpm):
    dataset = ThreeDPMDataset(tiny_3dpm)
    assert len(dataset) == 7 * PER_CLASS_3DPM and dataset.CLASSES == CLASSES
    assert np.bincount(dataset.get_gt_labels()).tolist() == [PER_CLASS_3DPM] * 7
    info = dataset.get_data_info(0)  # sorted by '<class>/<id>': Aggl first
    assert info['img_path'] == osp.join(tiny_3dpm, 'reflectance', 'Aggl', '0000.png')
    assert info['depth_path'] == osp.join(tiny_3dpm, 'depth', 'Aggl', '0000.png')
    assert info['gt_label'] == CLASSES.index('Aggl')
    val = ThreeDPMDataset(tiny_3dpm, ann_file='splits/val.txt')
    assert np.bincount(val.get_gt_labels()).tolist() == [1] * 7


def test_missing_depth_names_the_image_and_the_depth_file(tiny_3dpm, tmp_path):
    root = copy_of(tiny_3dpm, tmp_path)
    os.remove(osp.join(root, 'depth', 'Ore2', '0003.png'))
    with pytest.raises(FileNotFoundError) as error:
        ThreeDPMDataset(root)
    message = str(error.value)
    assert osp.join(root, 'reflectance', 'Ore2', '0003.png') in message
    assert osp.join(root, 'depth', 'Ore2', '0003.png') in message


def test_unknown_class_folder_is_named_with_the_known_classes(tiny_3dpm, tmp_path):
    root = copy_of(tiny_3dpm, tmp_path)
    os.rename(osp.join(root, 'reflectance', 'Ore3'), osp.join(root, 'reflectance', 'Slag'))
    with pytest.raises(ValueError, match="unknown class 'Slag'.*Mixed1, Aggl, Mixed2, Ore1, "
                       'Ore2, Ore3, Cylindrical'):
        ThreeDPMDataset(root)


def test_unknown_class_and_missing_image_in_a_split_file(tiny_3dpm, tmp_path):
    root = copy_of(tiny_3dpm, tmp_path)
    (tmp_path / 'copy' / 'bad.txt').write_text('Ore1/0000\nore1/0001\n')
    with pytest.raises(ValueError, match=r"unknown class 'ore1'.*bad.txt"):
        ThreeDPMDataset(root, ann_file='bad.txt')
    (tmp_path / 'copy' / 'bad.txt').write_text('Ore1/0099\n')
    with pytest.raises(FileNotFoundError, match=r"'Ore1/0099'.*Ore1/0099.png"):
        ThreeDPMDataset(root, ann_file='bad.txt')


def test_depth_of_another_size_fails_when_loaded_naming_both_sizes(tiny_3dpm, tmp_path):
    root = copy_of(tiny_3dpm, tmp_path)
    path = osp.join(root, 'depth', 'Aggl', '0000.png')
    cv2.imwrite(path, cv2.resize(cv2.imread(path, cv2.IMREAD_UNCHANGED), (40, 32)))
    dataset = ThreeDPMDataset(root, pipeline=LOAD_3DPM, test_mode=True)
    with pytest.raises(ValueError, match=r'is 32x40 \(HxW\).*is 32x32'):
        dataset[0]  # Aggl/0000


# ----------------------------------------------------------------------------- fractions, splits


def test_label_fraction_is_stratified_deterministic_and_nested(tiny_3dpm):
    full = ThreeDPMDataset(tiny_3dpm)
    paths = [full.get_data_info(i)['img_path'] for i in range(len(full))]

    def subset(**kwargs):
        dataset = ThreeDPMDataset(tiny_3dpm, **kwargs)
        return [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]

    fifth = subset(label_fraction=0.2)
    assert len(fifth) == 7  # max(1, round(0.2 * 5)) per class
    assert sorted(p.split('/')[-2] for p in fifth) == sorted(CLASSES)
    assert fifth == subset(label_fraction=0.2)  # deterministic
    assert fifth != subset(label_fraction=0.2, label_fraction_seed=1)
    three_fifths = subset(label_fraction=0.6)
    assert len(three_fifths) == 21 and set(fifth) < set(three_fifths)
    rest = subset(label_fraction=0.6, label_fraction_complement=True)
    assert not set(rest) & set(three_fifths) and sorted(rest + three_fifths) == sorted(paths)
    with pytest.raises(ValueError, match='label_fraction must be in'):
        ThreeDPMDataset(tiny_3dpm, label_fraction=1.5)


def test_stratified_split_partitions_each_class_in_proportion():
    labels = np.repeat(np.arange(7), [20, 20, 10, 7, 30, 5, 20])
    parts = stratified_split(labels, (0.6, 0.2, 0.2), seed=3)
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(len(labels)))
    counts = [np.bincount(labels[p], minlength=7).tolist() for p in parts]
    assert counts[0] == [12, 12, 6, 4, 18, 3, 12]
    assert counts[1] == [4, 4, 2, 2, 6, 1, 4]
    assert counts[2] == [4, 4, 2, 1, 6, 1, 4]
    again = stratified_split(labels, (0.6, 0.2, 0.2), seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    other = stratified_split(labels, (0.6, 0.2, 0.2), seed=4)
    assert not np.array_equal(parts[0], other[0])
    with pytest.raises(ValueError, match='sum to 1'):
        stratified_split(labels, (0.6, 0.2))
    kept, rest = stratified_fraction(labels, 0.1, seed=3)
    assert np.bincount(labels[kept]).tolist() == [2, 2, 1, 1, 3, 1, 2]
    assert not set(kept) & set(rest)


def test_split_tool_writes_stratified_deterministic_files(tiny_3dpm, tmp_path, tool_main,
                                                          capsys):
    root = copy_of(tiny_3dpm, tmp_path)
    shutil.rmtree(osp.join(root, 'splits'))
    main = tool_main('dataset_converters/make_3dpm_splits.py')
    assert main([root, '--seed', '0']) == 0
    out = capsys.readouterr().out
    assert 'train.txt: 21 samples' in out and 'test.txt: 7 samples' in out
    for name in ('train', 'val', 'test'):  # the generator's splits: same samples, same seed
        assert filecmp.cmp(osp.join(root, 'splits', f'{name}.txt'),
                           osp.join(tiny_3dpm, 'splits', f'{name}.txt'), shallow=False)
    lines = {name: open(osp.join(root, 'splits', f'{name}.txt')).read().split()
             for name in ('train', 'val', 'test')}
    assert not set(lines['train']) & (set(lines['val']) | set(lines['test']))
    for cls in CLASSES:
        assert [sum(line.startswith(cls + '/') for line in lines[name])
                for name in ('train', 'val', 'test')] == [3, 1, 1]
    assert main([root, '--seed', '1']) == 1
    assert 'exists with another split' in capsys.readouterr().err


# ----------------------------------------------------------------------------- generator


def test_generator_is_deterministic_and_materials_differ(tiny_3dpm, tmp_path):
    again = str(tmp_path / 'again')
    generate_synthetic_3dpm(again, num_per_class=2, size=32, seed=0)
    assert filecmp.cmp(osp.join(again, 'reflectance', 'Ore1', '0001.png'),
                       osp.join(tiny_3dpm, 'reflectance', 'Ore1', '0001.png'), shallow=False)
    assert filecmp.cmp(osp.join(again, 'depth', 'Ore1', '0001.png'),
                       osp.join(tiny_3dpm, 'depth', 'Ore1', '0001.png'), shallow=False)
    other = str(tmp_path / 'other')
    generate_synthetic_3dpm(other, num_per_class=1, size=32, seed=1, depth_format='npy')
    depth = np.load(osp.join(other, 'depth', 'Ore1', '0000.npy'))
    assert depth.dtype == np.float32 and depth.shape == (32, 32)
    assert not np.array_equal(depth, cv2.imread(osp.join(tiny_3dpm, 'depth', 'Ore1', '0000.png'),
                                                cv2.IMREAD_UNCHANGED))
    depth = cv2.imread(osp.join(tiny_3dpm, 'depth', 'Aggl', '0000.png'), cv2.IMREAD_UNCHANGED)
    assert depth.dtype == np.uint16 and (depth == 0).any() and (depth > 14000).all(where=depth > 0)
    means = [np.mean([cv2.imread(osp.join(tiny_3dpm, 'reflectance', c, f'{i:04d}.png'), 0).std()
                      for i in range(PER_CLASS_3DPM)]) for c in CLASSES]
    assert len(set(np.round(means))) >= 5  # texture contrast differs between materials


# ----------------------------------------------------------------------------- metric


def loop_weighted_f1(pred, target, num_classes):
    total, per_class = 0., []
    for c in range(num_classes):
        tp = sum(p == c and t == c for p, t in zip(pred, target))
        predicted, actual = sum(p == c for p in pred), sum(t == c for t in target)
        precision = tp / predicted if predicted else 0.
        recall = tp / actual if actual else 0.
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.
        per_class.append(100 * f1)
        total += 100 * f1 * actual / len(target)
    return total, per_class


def test_weighted_f1_metric_matches_a_loop():
    rng = np.random.default_rng(0)
    target = rng.integers(0, 7, 60)
    target[target == 6] = 5  # class 6 absent: weight 0
    scores = rng.random((60, 7))
    scores[np.arange(60), target] += rng.random(60) * 0.8  # better than chance
    metric = WeightedF1Metric()
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process(None, [
        DataSample().set_gt_label(int(t)).set_pred_score(torch.tensor(s, dtype=torch.float32))
        .to_dict() for t, s in zip(target, scores)
    ])
    result = metric.evaluate(60)
    weighted, per_class = loop_weighted_f1(scores.argmax(1).tolist(), target.tolist(), 7)
    assert result['single-label/f1-score_weighted'] == pytest.approx(weighted, abs=1e-4)
    for cls, value in zip(CLASSES, per_class):
        assert result[f'single-label/f1-score_{cls}'] == pytest.approx(value, abs=1e-4)
    macro = np.mean(per_class)
    assert abs(weighted - macro) > 1  # not the macro average mmpretrain reports
