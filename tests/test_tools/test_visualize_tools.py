"""tools/visualize_similarity.py and tools/visualize_pairs.py, and their functions."""
import contextlib
import io
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS

import mmpixdepth  # noqa: F401  (registers modules)
from helpers import REPO, SEG_CONFIG, load_tool
from mmpixdepth.analysis.similarity_maps import point_to_cell, similarity_map
from mmpixdepth.datasets import LoadDepthFromFile
from mmpixdepth.datasets.view_pairs import build_views, cell_pairs, sample_views
from mmpixdepth.engine import load_backbone_into
from mmpixdepth.models.encoder import (build_encoder, encoder_features, init_random,
                                       output_stride, preprocess)
from mmpixdepth.models.utils import pixel_pair_masks
from mmpixdepth.utils import load_config
from mmpixdepth.visualization import crop_box, pairs_figure, similarity_figure
from mmpixdepth.visualization.drawing import COLORBAR_PX
from mmpixdepth.visualization.similarity import color_ranges

PIXDEPTH = 'configs/pixdepth/pixdepth_r18_1xb16-5e_synthetic-96x96.py'
PIXPRO = 'configs/pixpro/pixpro_r18_1xb16-5e_synthetic-96x96.py'
SEG = SEG_CONFIG  # the narrow DeepLabV3 of the seg_run checkpoints
#: the ResNet-18 DeepLabV3, whose encoder is that of the PixDepth checkpoints
SEG_R18 = 'configs/deeplabv3/deeplabv3_r18_1xb8-20e_synthetic-128x128.py'
TITLE_PX = 40  # two title lines (similarity figure)
PAIRS_TITLE_PX = 60  # three title lines (pairs figure panels)


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    """A tiny synthetic RGB-D set (2 train + 1 val images, 64x64)."""
    from mmpixdepth.datasets import generate_synthetic_rgbd
    root = str(tmp_path_factory.mktemp('rgbd'))
    generate_synthetic_rgbd(root, num_train=2, num_val=1, size=64, seed=0, workers=1)
    return dict(image=osp.join(root, 'images', 'train', '00000.png'),
                depth=osp.join(root, 'depth', 'train', '00000.png'))


@pytest.fixture(scope='module')
def pretrain_ckpt(tmp_path_factory, repo_root):
    """A PixDepth pretraining checkpoint (untrained weights, the real key layout)."""
    torch.manual_seed(0)
    cfg = load_config(osp.join(repo_root, PIXDEPTH), {'model.neck.hid_channels': 64})
    with DefaultScope.overwrite_default_scope('mmpretrain'):  # whatever scope a test left
        model = MODELS.build(cfg.model)
    path = str(tmp_path_factory.mktemp('ckpt') / 'pixdepth.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def run_tool(path, config, *args):
    """``(exit code, printed text)`` of the ``main(argv)`` of ``tools/<path>`` run in this
    process on ``configs/.../<config>``; an exception's text is part of the printed text."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            load_tool(path).main([osp.join(REPO, config), *args])
    except SystemExit as exit_:
        code = exit_.code
        return (code if isinstance(code, int) else 1), out.getvalue() + str(code or '')
    except Exception as error:  # what the tool would print before exiting
        return 1, out.getvalue() + f'{type(error).__name__}: {error}'
    return 0, out.getvalue()


def test_similarity_tool_writes_one_png(data, pretrain_ckpt, tmp_path):
    out = str(tmp_path / 'sim.png')
    rc, log = run_tool('tools/visualize_similarity.py', PIXDEPTH,
                       data['image'], '--checkpoints', pretrain_ckpt, 'random', '--labels',
                       'pixdepth', 'random init', '--point', '10', '50', '--depth',
                       data['depth'], '--out', out)
    assert rc == 0, log[-3000:]
    # ResNet-18 with a dilated last stage: output stride 16, 32 x 16 = 512 pixels per panel
    assert 'output stride 16' in log and 'feature map 32x32' in log, log[-3000:]
    assert f'loading the backbone weights of {pretrain_ckpt}' in log
    assert f'wrote {out}' in log
    figure = cv2.imread(out)
    # image, depth, 2 heat maps; colour bars under all but the image
    assert figure.shape == (512 + TITLE_PX + COLORBAR_PX, 4 * 512, 3)


def test_similarity_tool_with_a_segmentation_config_and_size(data, pretrain_ckpt, tmp_path):
    out = str(tmp_path / 'sim_seg.png')
    rc, log = run_tool('tools/visualize_similarity.py', SEG_R18, data['image'],
                       '--checkpoints', pretrain_ckpt, '--point', '0', '63', '--size', '96',
                       '--out', out)
    assert rc == 0, log[-3000:]
    assert 'feature map 12x12, point in cell (11, 0)' in log  # stride 8
    assert cv2.imread(out).shape == (96 + TITLE_PX + COLORBAR_PX, 2 * 96, 3)


@pytest.mark.parametrize('args, message', [
    (['--checkpoints', 'missing.pth', '--point', '1', '1'],
     'checkpoint missing.pth does not exist'),
    (['--checkpoints', 'random', '--point', '64', '3'],
     'point (64, 3) is outside the image of 64x64 pixels'),
    (['--checkpoints', 'random', 'random', '--labels', 'a', '--point', '1', '1'],
     '--labels has 1 names for 2 checkpoints'),
])
def test_similarity_tool_errors(args, message, data, tmp_path):
    rc, log = run_tool('tools/visualize_similarity.py', PIXDEPTH,
                       data['image'], *args, '--out', str(tmp_path / 'x.png'))
    assert rc != 0
    assert message in log, log[-2000:]
    assert not osp.exists(tmp_path / 'x.png')


def test_similarity_tool_missing_image(tmp_path):
    rc, log = run_tool('tools/visualize_similarity.py', PIXDEPTH,
                       str(tmp_path / 'nope.png'), '--checkpoints', 'random', '--point', '1',
                       '1', '--out', str(tmp_path / 'x.png'))
    assert rc != 0 and f'image {tmp_path / "nope.png"} does not exist' in log


def test_similarity_map_is_one_at_the_point():
    feat = torch.randn(16, 5, 7)
    sim = similarity_map(feat, (2, 3))
    assert sim.shape == (5, 7) and sim.dtype == np.float32
    assert sim[2, 3] == pytest.approx(1.0, abs=1e-6)
    assert sim.max() == pytest.approx(1.0, abs=1e-6) and sim.min() >= -1
    ref = feat[:, 2, 3] / feat[:, 2, 3].norm()
    expected = (ref * feat[:, 4, 0]).sum() / feat[:, 4, 0].norm()
    assert sim[4, 0] == pytest.approx(float(expected), abs=1e-5)
    feat[:, 1, 1] = 0
    assert np.isnan(similarity_map(feat, (1, 1))).all()


def test_encoder_similarity_on_an_image(data, pretrain_ckpt, repo_root):
    cfg = load_config(osp.join(repo_root, PIXDEPTH))
    encoder = build_encoder(cfg)
    load_backbone_into(encoder, pretrain_ckpt)
    assert not encoder.training
    stride = output_stride(encoder)
    assert stride == 16
    img = cv2.imread(data['image'])
    feat = encoder_features(encoder, preprocess(img, 8 * stride, cfg.model.data_preprocessor))
    assert feat.shape == (1, 512, 8, 8)
    cell = point_to_cell(40, 10, img.shape[:2], feat.shape[2:])
    assert cell == (1, 5)
    sim = similarity_map(feat[0], cell)
    assert np.unravel_index(np.argmax(sim), sim.shape) == cell


def test_random_encoder_is_seeded(repo_root):
    cfg = load_config(osp.join(repo_root, PIXDEPTH))
    weights = []
    for _ in range(2):
        encoder = build_encoder(cfg)
        init_random(encoder, 3)
        weights.append(encoder.conv1.weight.detach().clone())
    assert torch.equal(*weights)


def test_checkpoint_missing_backbone_keys_fails(pretrain_ckpt, tmp_path, repo_root):
    encoder = build_encoder(load_config(osp.join(repo_root, PIXDEPTH)))
    state = torch.load(pretrain_ckpt, weights_only=False)['state_dict']
    del state['backbone.layer4.1.conv2.weight']
    broken = str(tmp_path / 'broken.pth')
    torch.save({'state_dict': state, 'meta': {}}, broken)
    with pytest.raises(RuntimeError, match=re.escape(broken)) as err:
        load_backbone_into(encoder, broken)
    assert 'layer4.1.conv2.weight' in str(err.value)

    no_backbone = str(tmp_path / 'head_only.pth')
    torch.save({'state_dict': {'neck.w': torch.zeros(1)}, 'meta': {}}, no_backbone)
    with pytest.raises(KeyError, match=re.escape(no_backbone)):
        load_backbone_into(encoder, no_backbone)


def test_checkpoint_of_another_architecture_fails_in_the_tool(data, pretrain_ckpt, tmp_path):
    rc, log = run_tool('tools/visualize_similarity.py', PIXDEPTH,
                       data['image'], '--checkpoints', pretrain_ckpt, '--point', '1', '1',
                       '--cfg-options', 'model.backbone.depth=34', '--out',
                       str(tmp_path / 'x.png'))
    assert rc != 0
    assert f'backbone weights of {pretrain_ckpt} do not fit ResNet' in log
    assert 'missing keys in source state_dict' in log


def test_preprocess_resizes_and_normalises():
    img = np.zeros((10, 20, 3), np.uint8)
    img[..., 0] = 10  # blue
    img[..., 2] = 250  # red
    pre = dict(mean=[100., 0., 0.], std=[2., 1., 1.], to_rgb=True)
    x = preprocess(img, 8, pre)
    assert x.shape == (1, 3, 8, 8) and x.dtype == torch.float32
    assert torch.allclose(x[0, 0], torch.full((8, 8), 75.0))  # (250 - 100) / 2: red first
    assert torch.allclose(x[0, 2], torch.full((8, 8), 10.0))
    assert torch.allclose(preprocess(img, 8, None)[0, 0], torch.full((8, 8), 10.0))


def test_point_to_cell_corners_and_outside():
    assert point_to_cell(0, 0, (64, 128), (4, 4)) == (0, 0)
    assert point_to_cell(127.9, 63.9, (64, 128), (4, 4)) == (3, 3)
    assert point_to_cell(32, 16, (64, 128), (4, 4)) == (1, 1)
    for x, y in ((128, 0), (0, 64), (-1, 0)):
        with pytest.raises(ValueError, match='outside the image of 128x64'):
            point_to_cell(x, y, (64, 128), (4, 4))


def test_similarity_figure_layout():
    img = np.zeros((30, 40, 3), np.uint8)
    sims = [np.random.rand(4, 4).astype(np.float32)] * 3
    fig = similarity_figure(img, (5, 5), 64, sims, ['a', 'b', 'c'], np.full((30, 40), np.nan))
    assert fig.shape == (64 + TITLE_PX + COLORBAR_PX, 5 * 64, 3)
    # depth all missing: grey
    assert (fig[TITLE_PX + 2, 64 + 40] == 128).all()
    # no colour bar under the image: padded black
    assert not fig[-COLORBAR_PX:, :64].any() and fig[-COLORBAR_PX:, 64:].any()


def test_similarity_maps_share_one_scale():
    trained = np.full((4, 4), 0.2, np.float32)  # low away from the point
    trained[2:, 2:] = 0.9
    trained[0, 0] = 1.0
    random = np.full((4, 4), 0.9, np.float32)  # alike everywhere
    random[0, 0] = 1.0
    assert color_ranges([trained, random]) == [(pytest.approx(0.2), 1.0)] * 2
    assert color_ranges([trained, random], per_map=True) == [(pytest.approx(0.2), 1.0),
                                                             (pytest.approx(0.9), 1.0)]
    assert color_ranges([trained, random], fixed_range=True) == [(0.0, 1.0)] * 2
    with pytest.raises(ValueError, match='exclusive'):
        color_ranges([trained], fixed_range=True, per_map=True)

    img = np.zeros((32, 32, 3), np.uint8)
    # panels of 64: image | trained | random; pixel (56, 56) of a map is in cell (3, 3)
    shared = similarity_figure(img, (0, 0), 64, [trained, random], ['trained', 'random'])
    assert np.array_equal(shared[TITLE_PX + 56, 64 + 56], shared[TITLE_PX + 56, 128 + 56])
    assert np.array_equal(shared[-COLORBAR_PX:, 64:128], shared[-COLORBAR_PX:, 128:192])
    own = similarity_figure(img, (0, 0), 64, [trained, random], ['trained', 'random'],
                            per_map=True)
    assert not np.array_equal(own[TITLE_PX + 56, 64 + 56], own[TITLE_PX + 56, 128 + 56])
    assert not np.array_equal(own[-COLORBAR_PX:, 64:128], own[-COLORBAR_PX:, 128:192])


# ---------------------------------------------------------------------------------------------
# pairs


def _views_of(image, repo_root, seed=0):
    cfg = load_config(osp.join(repo_root, PIXDEPTH))
    views = build_views(cfg)
    img = cv2.imread(image)
    results = LoadDepthFromFile()(dict(img=img, img_path=image))
    out, used = sample_views(views, results, (2, 3), 0.7, seed, 100)
    return views, img, out


def test_pairs_tool_writes_one_png(data, tmp_path):
    out = str(tmp_path / 'pairs.png')
    rc, log = run_tool('tools/visualize_pairs.py', PIXDEPTH, data['image'],
                       '--cell', '2', '3', '--panel-size', '144', '--out', out)
    assert rc == 0, log[-3000:]
    assert f'depth map: {data["depth"]}' in log  # derived from the image path
    assert ("threshold groups (T, T'): (0.3, 0.3), (0.5, 0.5), (0.7, 0.7) (T from the "
            "config's model.dist_thr, T' from the config's model.depth_thr)") in log
    assert 'views drawn with seed' in log and f'wrote {out}' in log
    # figure title, 2 rows (colour bars under the bottom one); original, view 1, 3 groups
    assert cv2.imread(out).shape == (2 * 20 + 2 * (144 + PAIRS_TITLE_PX) + COLORBAR_PX,
                                     5 * 144, 3)


@pytest.mark.parametrize('options, expected', [
    (['--cfg-options', 'model.dist_thr=[1.5,2.5]', 'model.depth_thr=[0.05,0.1]'],
     "(1.5, 0.05), (2.5, 0.1) (T from the config's model.dist_thr, T' from the config's "
     'model.depth_thr)'),
    (['--depth-thr', '0.2'],
     "(0.3, 0.2), (0.5, 0.2), (0.7, 0.2) (T from the config's model.dist_thr, T' from "
     '--depth-thr)'),
    (['--dist-thr', '2', '--depth-thr', '0.1'], "(2, 0.1) (T from --dist-thr, T' from "
     '--depth-thr)'),
])
def test_pairs_tool_thresholds_from_config_or_options(options, expected, data, tmp_path):
    out = str(tmp_path / 'pairs.png')
    rc, log = run_tool('tools/visualize_pairs.py', PIXDEPTH, data['image'], '--cell', '2',
                       '3', '--panel-size', '64', '--out', out, *options)
    assert rc == 0, log[-3000:]
    assert f"threshold groups (T, T'): {expected}" in log
    groups = expected.count('(') - 1
    assert cv2.imread(out).shape[1] == (2 + groups) * 64


def test_pairs_figure_title_shows_the_thresholds(data, repo_root):
    _, img, out = _views_of(data['image'], repo_root)
    args = (img, out['img'], out['coord'], out['depth_cells'], (2, 3))
    one = pairs_figure(*args, [(0.7, 0.3)], size=100)
    other = pairs_figure(*args, [(0.7, 0.2)], size=100)
    # T' is written in the figure title and in the title of the PixDepth panel
    assert one.shape == other.shape
    assert not np.array_equal(one[:40], other[:40])
    assert not np.array_equal(one[40 + 160:40 + 180, 200:], other[40 + 160:40 + 180, 200:])


@pytest.mark.parametrize('args, message', [
    (['--cell', '6', '0'], 'cell (6, 0) is outside the 6x6 grid of feature cells'),
    (['--cell', '0', '0', '--depth', 'nope.png'], 'depth map nope.png does not exist'),
    (['--cell', '0', '0', '--dist-thr', '0.3', '0.5', '--depth-thr', '0.1', '0.2', '0.3'],
     'zipped into channel groups and must have the same length'),
])
def test_pairs_tool_errors(args, message, data, tmp_path):
    rc, log = run_tool('tools/visualize_pairs.py', PIXDEPTH, data['image'],
                       *args, '--out', str(tmp_path / 'x.png'))
    assert rc != 0 and message in log, log[-2000:]


def test_views_keep_colours_and_overlap(data, repo_root):
    views, img, out = _views_of(data['image'], repo_root)
    assert out['coord'].shape == (2, 4) and out['depth_cells'].shape == (2, 6, 6)
    x0, y0, x1, y1, flipped = crop_box(out['coord'][0].tolist(), img.shape[:2])
    crop = img[y0:y1, x0:x1]
    crop = crop[:, ::-1] if flipped else crop
    expected = cv2.resize(crop, (96, 96), interpolation=cv2.INTER_LINEAR)
    assert np.abs(out['img'][0].astype(int) - expected.astype(int)).max() <= 1
    pairs = cell_pairs(out['coord'], out['depth_cells'], (2, 3), 0.7, 0.3)
    assert pairs['pixpro_pos'].any()


def test_cell_pairs_agree_with_pixel_pair_masks(data, repo_root):
    _, _, out = _views_of(data['image'], repo_root, seed=5)
    coord, depth = out['coord'], out['depth_cells']
    pos0, _ = pixel_pair_masks(coord[0:1], coord[1:2], (6, 6), 0.5)
    pos, neg = pixel_pair_masks(coord[0:1], coord[1:2], (6, 6), 0.5, depth[0:1], depth[1:2],
                                0.2)
    for r in range(6):
        for c in range(6):
            pairs = cell_pairs(coord, depth, (r, c), 0.5, 0.2)
            assert np.array_equal(pairs['pixpro_pos'].ravel(), pos0[0, r * 6 + c].numpy())
            assert np.array_equal(pairs['pixdepth_pos'].ravel(), pos[0, r * 6 + c].numpy())
            assert np.array_equal(pairs['pixdepth_neg'].ravel(), neg[0, r * 6 + c].numpy())


def test_cell_pairs_geometry():
    depth = torch.rand(2, 4, 4)
    same = torch.tensor([[0.1, 0.1, 0.9, 0.9], [0.1, 0.1, 0.9, 0.9]])
    pairs = cell_pairs(same, depth, (1, 2), 0.7, 1.0)
    expected = np.zeros((4, 4), bool)
    expected[1, 2] = True  # square bins: neighbours are 1/sqrt(2) ~ 0.707 diagonals away
    assert np.array_equal(pairs['pixpro_pos'], expected)
    flipped = torch.tensor([[0.1, 0.1, 0.9, 0.9], [0.9, 0.1, 0.1, 0.9]])
    mirrored = np.zeros((4, 4), bool)
    mirrored[1, 1] = True
    assert np.array_equal(cell_pairs(flipped, depth, (1, 2), 0.7, 1.0)['pixpro_pos'], mirrored)
    with pytest.raises(ValueError, match=r'cell \(4, 0\) is outside the 4x4 grid'):
        cell_pairs(same, depth, (4, 0), 0.7, 0.3)


def test_depth_threshold_one_gives_pixpro_positives(data, repo_root):
    _, _, out = _views_of(data['image'], repo_root)
    coord, depth = out['coord'], out['depth_cells']
    known2 = ~torch.isnan(depth[1]).numpy()
    for cell in ((2, 3), (0, 0), (5, 5)):
        pairs = cell_pairs(coord, depth, cell, 0.7, 1.0)
        if np.isnan(depth[0][cell]):
            assert not pairs['pixdepth_pos'].any()
        else:
            # depth in [0, 1]: only cells of unknown depth can differ
            assert np.array_equal(pairs['pixdepth_pos'], pairs['pixpro_pos'] & known2)
    filled = torch.nan_to_num(depth, nan=0.5)
    for cell in ((2, 3), (0, 0), (5, 5)):
        pairs = cell_pairs(coord, filled, cell, 0.7, 1.0)
        assert np.array_equal(pairs['pixdepth_pos'], pairs['pixpro_pos'])


def test_pairs_figure_layout(data, repo_root):
    _, img, out = _views_of(data['image'], repo_root)
    fig = pairs_figure(img, out['img'], out['coord'], out['depth_cells'], (2, 3),
                       [(0.7, 0.3), (1.5, 0.1)], size=100)
    assert fig.shape == (40 + 2 * (100 + 60) + COLORBAR_PX, 400, 3) and fig.dtype == np.uint8


def test_pairs_tool_needs_a_depth_threshold_for_pixpro(data, tmp_path):
    rc, log = run_tool('tools/visualize_pairs.py', PIXPRO, data['image'], '--cell', '2', '3',
                       '--out', str(tmp_path / 'x.png'))
    assert rc != 0 and 'has no model.depth_thr' in log and 'give --depth-thr' in log, log[-2000:]
