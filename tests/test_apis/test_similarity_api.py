"""mmpixdepth.apis: similarity maps of a pretrained encoder, the same as
tools/visualize_similarity.py draws."""
import os.path as osp
import pickle
import re

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS

from helpers import REPO, load_tool, write_code_payload
from mmpixdepth.analysis.similarity_maps import point_to_cell
from mmpixdepth.analysis.similarity_maps import similarity_map as feature_similarity
from mmpixdepth.apis import init_encoder, show_similarity, similarity_map
from mmpixdepth.engine import load_backbone_into
from mmpixdepth.models.encoder import build_encoder, encoder_features, preprocess
from mmpixdepth.utils import load_config
from mmpixdepth.visualization.drawing import COLORBAR_PX, TITLE_LINE_PX

CONFIG = osp.join(REPO, 'configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py')
POINT = (10, 50)
SIZE = 256  # 32 cells x output stride 8
SMALL = 64  # 8 cells


def figure_shape(size):
    """image | heat map, each under 2 title lines, the map over its colour bar"""
    return (size + 2 * TITLE_LINE_PX + COLORBAR_PX, 2 * size, 3)


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A PixDepth pretraining checkpoint (untrained weights, the real key layout)."""
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(load_config(CONFIG).model)
    path = str(tmp_path_factory.mktemp('pixdepth') / 'pixdepth.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


@pytest.fixture(scope='module')
def encoder(checkpoint):
    return init_encoder(CONFIG, checkpoint, device='cpu')


@pytest.fixture(scope='module')
def image(tiny_rgbd):
    return osp.join(tiny_rgbd, 'images', 'val', '00000.png')


def test_the_map_is_one_at_the_point(encoder, checkpoint, image):
    sim = similarity_map(encoder, image, POINT)
    assert sim.shape == (32, 32) and sim.dtype == np.float32  # the default input: 32x32 cells
    cell = point_to_cell(*POINT, (64, 64), sim.shape)
    assert cell == (25, 5)
    assert sim[cell] == pytest.approx(1.0, abs=1e-6) and sim.max() <= 1 and sim.min() >= -1
    # the encoder's own features, computed step by step
    cfg = load_config(CONFIG)
    reference = build_encoder(cfg)
    load_backbone_into(reference, checkpoint)
    feat = encoder_features(reference, preprocess(cv2.imread(image), SIZE,
                                                  cfg.model.data_preprocessor))[0]
    assert np.allclose(sim, feature_similarity(feat, cell), atol=1e-5)


def test_a_smaller_input_gives_a_smaller_map(encoder, image):
    sim = similarity_map(encoder, image, POINT, size=SMALL)
    assert sim.shape == (8, 8) and sim[point_to_cell(*POINT, (64, 64), (8, 8))] == \
        pytest.approx(1.0, abs=1e-6)
    assert np.array_equal(similarity_map(encoder, cv2.imread(image), POINT, size=SMALL), sim)


def test_the_api_draws_what_the_tool_draws(encoder, checkpoint, image, tmp_path):
    tool_png, api_png = str(tmp_path / 'tool.png'), str(tmp_path / 'api' / 'sim.png')
    load_tool('tools/visualize_similarity.py').main([
        CONFIG, image, '--checkpoints', checkpoint, '--point', *map(str, POINT), '--size',
        str(SMALL), '--device', 'cpu', '--out', tool_png])
    figure = show_similarity(encoder, image, POINT, out_file=api_png, size=SMALL)
    assert figure.shape == figure_shape(SMALL)
    assert np.array_equal(cv2.imread(api_png), figure)
    assert np.array_equal(cv2.imread(tool_png), figure)


def test_random_encoders_are_seeded(image):
    maps = [similarity_map(init_encoder(CONFIG, None, device='cpu', seed=3), image, POINT,
                           size=SMALL) for _ in range(2)]
    assert np.array_equal(*maps)


def test_bad_inputs_are_named(encoder, image, tmp_path):
    missing = str(tmp_path / 'nope.png')
    with pytest.raises(FileNotFoundError, match=f'image {re.escape(missing)} does not exist'):
        similarity_map(encoder, missing, POINT)
    with pytest.raises(FileNotFoundError, match=f'checkpoint {re.escape(missing)} does not'):
        init_encoder(CONFIG, missing, device='cpu')
    with pytest.raises(FileNotFoundError, match=f'config {re.escape(missing)} does not'):
        init_encoder(missing, device='cpu')
    with pytest.raises(ValueError, match=r'point \(64, 3\) is outside the image of 64x64'):
        similarity_map(encoder, image, (64, 3))


def test_a_checkpoint_that_runs_code_is_refused(checkpoint, tmp_path):
    marker = tmp_path / 'pwned'
    payload = write_code_payload(checkpoint, tmp_path / 'encoder.pth', marker)
    with pytest.raises(pickle.UnpicklingError, match='Refusing to load checkpoint .*encoder.pth: '
                       'it holds Python objects outside the allowlist .*posix.system'):
        init_encoder(CONFIG, payload, device='cpu')
    assert not marker.exists()
