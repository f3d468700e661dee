"""mmpixdepth.apis: segmenting an image with a checkpoint of the real runner, and drawing it."""
import os.path as osp
import pickle
import re
import shutil

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from helpers import REPO, SEG_CONFIG, write_code_payload
from mmpixdepth.apis import image_pipeline, inference_model, init_model, show_result
from mmpixdepth.datasets import SyntheticRGBDSegDataset
from mmpixdepth.visualization.drawing import TITLE_LINE_PX
from mmpixdepth.visualization.seg_visualizer import MIN_HALF_PX

CONFIG = osp.join(REPO, SEG_CONFIG)
NUM_CLASSES = len(SyntheticRGBDSegDataset.METAINFO['classes'])


@pytest.fixture(scope='module')
def model(seg_run):
    return init_model(CONFIG, osp.join(seg_run, 'epoch_1.pth'), device='cpu')


@pytest.fixture
def bare_image(tiny_rgbd, tmp_path):
    """A 64x64 image of the synthetic set alone in a folder: no label, no depth next to it."""
    path = str(tmp_path / 'photo.png')
    shutil.copy(osp.join(tiny_rgbd, 'images', 'val', '00000.png'), path)
    return path


def test_segments_an_image_without_label_or_depth(model, bare_image):
    assert not model.training
    assert model.dataset_meta['classes'] == SyntheticRGBDSegDataset.METAINFO['classes']
    result = inference_model(model, bare_image)
    pred = result.pred_sem_seg.data
    assert pred.shape == (1, 64, 64) and pred.dtype == torch.int64
    assert 0 <= int(pred.min()) and int(pred.max()) < NUM_CLASSES
    assert result.seg_logits.data.shape == (NUM_CLASSES, 64, 64)
    assert torch.equal(pred[0], result.seg_logits.data.argmax(0))


def test_files_arrays_and_lists_give_the_same_prediction(model, bare_image):
    before = [step['type'] for step in model.cfg.test_pipeline]
    from_file = inference_model(model, bare_image).pred_sem_seg.data
    from_array = inference_model(model, cv2.imread(bare_image)).pred_sem_seg.data
    # mmseg's inference_model edits the pipeline for arrays; a file after an array still works
    again = inference_model(model, bare_image).pred_sem_seg.data
    batch = inference_model(model, [bare_image, bare_image])
    assert torch.equal(from_file, from_array) and torch.equal(from_file, again)
    assert len(batch) == 2 and all(torch.equal(r.pred_sem_seg.data, from_file) for r in batch)
    assert [step['type'] for step in model.cfg.test_pipeline] == before


def test_image_pipeline_drops_the_label_and_depth_steps(model):
    pipeline = model.cfg.test_pipeline
    assert [step['type'] for step in pipeline] == [
        'LoadImageFromFile', 'LoadAnnotations', 'LoadDepthFromFile', 'PackSegInputs']
    kept = image_pipeline(pipeline)
    assert [step['type'] for step in kept] == ['LoadImageFromFile', 'PackSegInputs']
    kept[0]['type'] = 'changed'
    assert pipeline[0]['type'] == 'LoadImageFromFile'  # a copy
    assert image_pipeline([dict(type='mmseg.LoadAnnotations'), dict(type='Resize')]) == [
        dict(type='Resize')]


def test_show_result_draws_the_prediction_titled_and_keyed(model, bare_image, tmp_path):
    result = inference_model(model, bare_image)
    pred = result.pred_sem_seg.data[0].numpy()
    out = str(tmp_path / 'out' / 'seg.png')
    drawn = show_result(model, bare_image, result, out_file=out, opacity=1.0)
    assert np.array_equal(cv2.imread(out), drawn)
    # 64 pixels enlarged 4 times, under a title line, over a key of at least one row
    palette_bgr = np.asarray(model.dataset_meta['palette'], np.uint8)[:, ::-1]
    factor = MIN_HALF_PX // 64
    assert drawn.shape[1] == 64 * factor and drawn.shape[0] > TITLE_LINE_PX + 64 * factor
    image_part = drawn[TITLE_LINE_PX:TITLE_LINE_PX + 64 * factor]
    enlarged = np.repeat(np.repeat(palette_bgr[pred], factor, 0), factor, 1)
    assert np.array_equal(image_part, enlarged)  # opacity 1: the class colours only
    half = show_result(model, cv2.imread(bare_image), result)
    img = np.repeat(np.repeat(cv2.imread(bare_image).astype(int), factor, 0), factor, 1)
    assert half.shape == drawn.shape
    assert np.abs(half[TITLE_LINE_PX:TITLE_LINE_PX + 64 * factor] - (img + enlarged) / 2).max() <= 1
    with pytest.raises(ValueError, match=r'opacity must be in \(0, 1\], got 0'):
        show_result(model, bare_image, result, opacity=0)


def test_missing_files_are_named(seg_run, bare_image, tmp_path, model):
    missing = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError, match=f'checkpoint {re.escape(missing)} does not exist'):
        init_model(CONFIG, missing, device='cpu')
    with pytest.raises(FileNotFoundError, match=r'config configs/none\.py does not exist '
                       r'\(relative to '):
        init_model('configs/none.py', device='cpu')
    with pytest.raises(FileNotFoundError, match=f'image {re.escape(missing)} does not exist'):
        inference_model(model, missing)


def test_a_checkpoint_that_runs_code_is_refused(seg_run, tmp_path):
    marker = tmp_path / 'pwned'
    payload = write_code_payload(osp.join(seg_run, 'epoch_1.pth'), tmp_path / 'model.pth',
                                 marker)
    with pytest.raises(pickle.UnpicklingError, match='Refusing to load checkpoint .*model.pth: '
                       'it holds Python objects outside the allowlist .*posix.system'):
        init_model(CONFIG, payload, device='cpu')
    assert not marker.exists()


def test_a_checkpoint_must_give_every_weight(seg_run, tmp_path):
    checkpoint = torch.load(osp.join(seg_run, 'epoch_1.pth'), weights_only=False)
    state = {k: v for k, v in checkpoint['state_dict'].items() if k.startswith('backbone.')}
    partial = str(tmp_path / 'backbone.pth')
    torch.save({'state_dict': state, 'meta': checkpoint['meta']}, partial)
    with pytest.raises(RuntimeError, match=f'(?s)checkpoint {re.escape(partial)} does not fit the '
                       f'model of {re.escape(CONFIG)}.*missing keys.*decode_head'):
        init_model(CONFIG, partial, device='cpu')


def test_classes_come_from_the_config_when_the_checkpoint_has_none(seg_run, tmp_path):
    checkpoint = torch.load(osp.join(seg_run, 'epoch_1.pth'), weights_only=False)
    weights_only = str(tmp_path / 'weights.pth')
    torch.save({'state_dict': checkpoint['state_dict']}, weights_only)
    for path in (weights_only, None):
        assert init_model(CONFIG, path, device='cpu').dataset_meta == \
            SyntheticRGBDSegDataset.METAINFO
    assert DefaultScope.get_current_instance() is None  # left as it was


def test_cfg_options_are_checked():
    with pytest.raises(KeyError, match='model.decode_head.num_classe'):
        init_model(CONFIG, device='cpu', cfg_options={'model.decode_head.num_classe': 3})
