"""Depth from stereo pairs: tools/generate_stereo_pairs.py renders pairs with known disparity
from the synthetic scenes, tools/generate_disparity.py matches them (SGBM + left-right check),
tools/analysis_tools/stereo_accuracy.py scores the maps, and the stereo config pretrains on
them."""
import contextlib
import io
import json
import os
import os.path as osp
import re
import shutil

import cv2
import numpy as np
import pytest
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS, TRANSFORMS

import mmpixdepth  # noqa: F401  (registers LoadDepthFromFile)
from helpers import REPO, as_cli, load_tool, pretrain_options, run_log, train
from mmpixdepth.datasets import generate_synthetic_rgbd
from mmpixdepth.datasets.converters.cityscapes import decode_disparity
from mmpixdepth.datasets.synthetic_stereo import (OCCLUDED, OUTSIDE, VISIBLE, fill_missing_depth,
                                                  make_stereo_pair, occlusion_mask,
                                                  render_right_view)
from mmpixdepth.depth_estimation import (SGBMOptions, compute_disparity, encode_disparity_png,
                                         is_valid_depth_png, left_right_check,
                                         match_both_views, textured_mask, wls_available)
from mmpixdepth.fileio import read_depth
from mmpixdepth.utils import load_config

SIZE = 96
NUM_TRAIN, NUM_VAL = 8, 2
NUM_DISPARITIES = '32'  # above the largest disparity of these pairs (26 px)
CONFIG = 'configs/pixdepth/pixdepth_r18_1xb16-5e_synthetic-stereo-96x96.py'


def run(tool, *argv):
    """``(exit code, stdout, stderr)`` of ``tools/<tool>``'s ``main(argv)`` in this process."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = load_tool(osp.join('tools', tool)).main([str(a) for a in argv])
    return code, stdout.getvalue(), stderr.getvalue()


def match(left_dir, right_dir, out_dir, *args):
    return run('generate_disparity.py', left_dir, right_dir, '--out', out_dir, '--no-progress',
               '--num-disparities', NUM_DISPARITIES, *args)


def outputs(folder):
    """Sorted '/'-separated paths of the files under ``folder``."""
    return sorted(osp.relpath(osp.join(top, name), folder).replace(os.sep, '/')
                  for top, _, names in os.walk(folder) for name in names)


def write_png(path, array):
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    assert cv2.imwrite(str(path), array)


@pytest.fixture(scope='module')
def stereo_set(tmp_path_factory):
    """Pairs rendered from a tiny synthetic set (8 train + 2 val, 96x96) by the tool, and their
    disparity maps (``disparity/``) from the matching tool."""
    root = tmp_path_factory.mktemp('stereo')
    generate_synthetic_rgbd(str(root / 'rgbd'), NUM_TRAIN, NUM_VAL, SIZE, seed=0, workers=1)
    code, out, _ = run('generate_stereo_pairs.py', root / 'rgbd', '--out', root / 'pairs',
                       '--no-progress')
    assert code == 0 and f'wrote {NUM_TRAIN + NUM_VAL} pairs' in out
    code, out, err = match(root / 'pairs' / 'left', root / 'pairs' / 'right',
                           root / 'pairs' / 'disparity')
    assert code == 0, err
    assert f'{NUM_TRAIN + NUM_VAL} done, 0 skipped' in out
    return root


def test_png_round_trip_through_load_depth(tmp_path):
    disparity = np.array([[0., .5, 17.25, np.nan], [255.99, 3.1, np.nan, 100.]], np.float32)
    path = tmp_path / 'disparity' / 'x.png'
    os.makedirs(path.parent)
    path.write_bytes(encode_disparity_png(disparity))
    raw = read_depth(path)
    assert cv2.imread(str(path), cv2.IMREAD_UNCHANGED).dtype == np.uint16
    valid = np.isfinite(disparity)
    assert ((raw == 0) == ~valid).all() and raw[0, 0] == 1  # disparity 0 stays valid
    np.testing.assert_allclose(decode_disparity(raw)[valid], disparity[valid], atol=1 / 512)
    # the loading step of the Cityscapes and stereo configs: invalid_values=(0,)
    load = TRANSFORMS.build(dict(type='LoadDepthFromFile', invalid_values=(0, ),
                                 normalize='none'))
    depth = load(dict(depth_path=str(path)))['depth']
    assert (np.isnan(depth) == ~valid).all()
    np.testing.assert_allclose((depth[valid] - 1) / 256, disparity[valid], atol=1 / 512)
    normalised = TRANSFORMS.build(dict(type='LoadDepthFromFile', invalid_values=(0, )))(
        dict(depth_path=str(path)))['depth']
    assert np.nanmin(normalised) == 0 and np.nanmax(normalised) == 1
    assert np.nanargmax(normalised) == np.nanargmax(disparity)  # nearest stays largest
    for bad in (-1., 256.):
        with pytest.raises(ValueError, match='a 16-bit PNG holds 0..255.99'):
            encode_disparity_png(np.full((2, 2), bad))


@pytest.mark.parametrize('options, message', [
    (dict(num_disparities=20), 'num_disparities must be a positive multiple of 16'),
    (dict(min_disparity=-4), 'min_disparity must be >= 0'),
    (dict(min_disparity=16, num_disparities=256), 'must be <= 256'),
    (dict(block_size=4), 'block_size must be odd'),
    (dict(mode='fast'), 'mode must be one of'),
    (dict(lr_max_diff=-1), 'lr_max_diff must be >= 0'),
])
def test_options_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        SGBMOptions(**options)


def test_left_right_check_on_known_maps():
    # left row: x = 0..5, disparity 1 except an occluded pixel at x=3 (its partner column 1 is
    # covered by a nearer surface of disparity 3 in the right view)
    left = np.array([[np.nan, 1., 1., 1., 3., 1.]])
    right = np.array([[1., 3., 3., 1., 1., np.nan]])
    consistent = left_right_check(left, right, max_diff=1.)
    # x=0: invalid; x=1,2 -> columns 0,1 (right 1, 3): 1 ok, 2 fails; x=3 -> column 2 (3):
    # fails; x=4 -> column 1 (3): ok; x=5 -> column 4 (1): ok
    assert consistent.tolist() == [[False, True, False, False, True, True]]
    assert left_right_check(left, right, max_diff=2.).tolist() == [
        [False, True, True, True, True, True]]
    # a match landing left of the right image is never consistent
    assert not left_right_check(np.array([[5., 5.]]), np.array([[5., 5.]]), 10.).any()


def test_step_scene_occlusions_and_right_view():
    """Background of disparity 2 with a nearer strip (disparity 6) at columns 10..19."""
    width = 32
    disparity = np.full((3, width), 2.)
    disparity[:, 10:20] = 6.
    left = np.random.default_rng(0).uniform(0, 255, (3, width, 3))
    mask = occlusion_mask(disparity)
    expected = np.full(width, VISIBLE)
    expected[[0, 1]] = OUTSIDE  # they land at -2 and -1
    expected[6:10] = OCCLUDED  # a band as wide as the disparity step, left of the strip
    assert (mask == expected).all()
    right, right_disparity, holes = render_right_view(left, disparity)
    np.testing.assert_allclose(right[:, 0:4], left[:, 2:6], atol=1e-4)  # background
    np.testing.assert_allclose(right[:, 4:14], left[:, 10:20], atol=1e-4)  # the strip, nearer
    np.testing.assert_allclose(right[:, 18:30], left[:, 20:32], atol=1e-4)
    hole_columns = [14, 15, 16, 17, 30, 31]  # uncovered beside the strip, and the right border
    assert np.nonzero(holes[0])[0].tolist() == hole_columns
    assert np.isnan(right_disparity[:, hole_columns]).all()
    assert (right_disparity[:, 4:14] == 6).all() and (right_disparity[:, 18:30] == 2).all()


def test_sub_pixel_shift_and_hole_filling():
    """A fronto-parallel plane at 2.5 px: the right view is the left one moved by 2.5 px."""
    left = np.tile(np.linspace(0, 250, 24), (4, 1))[..., None].repeat(3, 2).astype(np.uint8)
    depth = np.full((4, 24), 1000, np.uint16)
    depth[1, 5] = 0  # missing: filled for rendering, unknown in the truth
    pair = make_stereo_pair(left, depth, focal_px=25., baseline_mm=100., noise_std=0.)
    assert np.isnan(pair['disparity'][1, 5]) and np.isfinite(pair['disparity']).sum() == 95
    np.testing.assert_allclose(pair['disparity'][0], 2.5)
    expected = np.interp(np.arange(24) + 2.5, np.arange(24), left[0, :, 0].astype(float))
    np.testing.assert_allclose(pair['right'][0, :21, 0], expected[:21], atol=.51)
    assert pair['holes'][0].tolist() == [False] * 21 + [True] * 3
    assert (pair['right'][:, 21:] > 200).all()  # inpainted from the bright neighbours


def test_fill_missing_depth_takes_the_nearest_value():
    depth = np.array([[0, 0, 7, 0, 0, 0, 3]], np.uint16)
    assert fill_missing_depth(depth).tolist() == [[7, 7, 7, 7, 7, 3, 3]]
    with pytest.raises(ValueError, match='no valid pixel'):
        fill_missing_depth(np.zeros((2, 2), np.uint16))


def test_pairs_carry_their_truth(stereo_set):
    pairs = stereo_set / 'pairs'
    meta = json.loads((pairs / 'meta.json').read_text())
    assert meta['focal_px'] == SIZE and meta['baseline_mm'] == 220
    low, high = meta['disparity']['range']
    assert 2 < low < 8 and 20 < high < 32  # about 4-30 px at 96 px width
    for kind in ('left', 'right', 'disparity_gt', 'occlusion', 'disparity'):
        assert len(outputs(pairs / kind)) == NUM_TRAIN + NUM_VAL, kind
    name = 'val/00001.png'
    depth = cv2.imread(str(stereo_set / 'rgbd' / 'depth' / name), cv2.IMREAD_UNCHANGED)
    truth = decode_disparity(read_depth(pairs / 'disparity_gt' / name))
    known = depth > 0
    assert (np.isfinite(truth) == known).all()
    np.testing.assert_allclose(truth[known], SIZE * 220. / depth[known], atol=1 / 512)
    assert (cv2.imread(str(pairs / 'left' / name)) ==
            cv2.imread(str(stereo_set / 'rgbd' / 'images' / name))).all()
    occlusion = cv2.imread(str(pairs / 'occlusion' / name), cv2.IMREAD_UNCHANGED)
    assert set(np.unique(occlusion)) == {VISIBLE, OCCLUDED, OUTSIDE}


def test_left_right_check_marks_occlusions_invalid(stereo_set):
    pairs = stereo_set / 'pairs'
    options = SGBMOptions(num_disparities=int(NUM_DISPARITIES))
    occluded = raw_invalid = checked_invalid = visible = visible_invalid = 0
    for name in outputs(pairs / 'left'):
        left, right = (cv2.imread(str(pairs / kind / name)) for kind in ('left', 'right'))
        hidden = cv2.imread(str(pairs / 'occlusion' / name), cv2.IMREAD_UNCHANGED) == OCCLUDED
        raw, _ = match_both_views(left, right, options)
        checked = compute_disparity(left, right, options)
        occluded += hidden.sum()
        raw_invalid += np.isnan(raw[hidden]).sum()
        checked_invalid += np.isnan(checked[hidden]).sum()
        seen = ~hidden & textured_mask(left[..., ::-1])
        visible += seen.sum()
        visible_invalid += np.isnan(checked[seen]).sum()
    assert occluded > 1000
    assert checked_invalid / occluded > .6  # mostly invalid, ...
    assert checked_invalid / occluded > raw_invalid / occluded + .15  # thanks to the check
    assert visible_invalid / visible < .1  # while seen textured pixels stay valid


def test_sgbm_meets_the_accuracy_targets(stereo_set, tmp_path):
    pairs = stereo_set / 'pairs'
    report = tmp_path / 'accuracy.json'
    code, out, err = run('analysis_tools/stereo_accuracy.py', pairs, pairs / 'disparity',
                         '--max-bad3', .1, '--min-occluded-invalid', .5, '--json', report)
    assert code == 0, out + err
    assert f'{NUM_TRAIN + NUM_VAL} pairs (train, val)' in out
    result = json.loads(report.read_text())
    rates = result['rates']
    assert result['counts']['evaluated'] > .4 * (NUM_TRAIN + NUM_VAL) * SIZE**2
    assert rates['bad3'] < .1 and rates['bad1'] < .1 and rates['epe'] < .5
    assert rates['invalid_textured'] < .15
    assert rates['occluded_invalid'] > .5 and rates['outside_invalid'] > .5
    # the same check fails on maps that are 4 px off
    shifted = tmp_path / 'shifted'
    for name in outputs(pairs / 'disparity_gt'):
        truth = decode_disparity(read_depth(pairs / 'disparity_gt' / name))
        os.makedirs(shifted / osp.dirname(name), exist_ok=True)
        (shifted / name).write_bytes(encode_disparity_png(truth + 4))
    code, out, err = run('analysis_tools/stereo_accuracy.py', pairs, shifted, '--max-bad3', .1)
    assert code == 1 and 'target missed: bad-3px 100.0% > 10.0%' in err


@pytest.fixture
def pair_folders(stereo_set, tmp_path):
    """left/ and right/ with three good pairs (one in a subfolder) and four bad ones."""
    pairs = stereo_set / 'pairs'
    left, right = tmp_path / 'left', tmp_path / 'right'
    for index, rel in enumerate(['a.png', 'b.png', 'sub/c.png']):
        for side in ('left', 'right'):
            os.makedirs(tmp_path / side / osp.dirname(rel), exist_ok=True)
            shutil.copy(pairs / side / 'train' / f'{index:05d}.png', tmp_path / side / rel)
    image = cv2.imread(str(pairs / 'left' / 'train' / '00003.png'))
    write_png(left / 'mismatch.png', image)
    write_png(right / 'mismatch.png', image[:, :80])
    (left / 'corrupt.png').write_bytes(b'not a png')
    write_png(right / 'corrupt.png', image)
    write_png(left / 'badright.png', image)
    (right / 'badright.png').write_bytes(b'')
    write_png(left / 'lonely.png', image)
    return left, right


def test_errors_are_named_per_file_and_the_batch_goes_on(pair_folders, tmp_path):
    left, right = pair_folders
    out = tmp_path / 'disparity'
    code, stdout, stderr = match(left, right, out)
    assert code == 1
    assert '3 done, 0 skipped (valid output found), 4 failed' in stdout
    assert outputs(out) == ['a.png', 'b.png', 'sub/c.png']
    assert f'{right / "mismatch.png"} is 80x96 but the left image is 96x96' in stderr
    assert f'cannot read the left image {left / "corrupt.png"}' in stderr
    assert f'cannot read the right image {right / "badright.png"}' in stderr
    assert f'no right image {right / "lonely.png"} for the left image' in stderr
    assert '4 pair(s) failed and have no output' in stderr


def test_resume_skips_valid_outputs(pair_folders, tmp_path):
    left, right = pair_folders
    for name in ('mismatch.png', 'corrupt.png', 'badright.png', 'lonely.png'):
        os.remove(left / name)
    out = tmp_path / 'disparity'
    assert match(left, right, out)[0] == 0
    stamps = {name: os.stat(out / name).st_mtime_ns for name in outputs(out)}
    truncated = (out / 'b.png').read_bytes()
    (out / 'b.png').write_bytes(truncated[:len(truncated) // 2])  # as a killed writer leaves
    code, stdout, _ = match(left, right, out)
    assert code == 0 and '1 done, 2 skipped (valid output found), 0 failed' in stdout
    assert os.stat(out / 'a.png').st_mtime_ns == stamps['a.png']
    assert (out / 'b.png').read_bytes() == truncated
    assert is_valid_depth_png(str(out / 'b.png'), (SIZE, SIZE))
    assert not [name for name in os.listdir(out) if name.endswith('.tmp')]
    code, stdout, _ = match(left, right, out, '--overwrite')
    assert code == 0 and '3 done, 0 skipped' in stdout


def test_shards_split_the_pairs(pair_folders, tmp_path):
    left, right = pair_folders
    out = tmp_path / 'disparity'
    code, stdout, _ = match(left, right, out, '--shard', '0/2')
    # sorted: a, b, badright, corrupt, lonely, mismatch, sub/c; shard 0: every other from a
    assert code == 1 and '7 left images' in stdout and 'shard 0/2: 4' in stdout
    assert '2 done, 0 skipped (valid output found), 2 failed' in stdout
    assert outputs(out) == ['a.png', 'sub/c.png']
    code, stdout, _ = match(left, right, out, '--shard', '1/2')
    assert code == 1 and 'shard 1/2: 3' in stdout
    assert '1 done, 0 skipped (valid output found), 2 failed' in stdout
    assert outputs(out) == ['a.png', 'b.png', 'sub/c.png']


def test_usage_errors_exit_with_2(pair_folders, tmp_path):
    left, right = pair_folders
    out = tmp_path / 'disparity'
    code, _, err = match(left, right, out, '--num-disparities', '40')
    assert code == 2 and 'num_disparities must be a positive multiple of 16, got 40' in err
    code, _, err = match(left, tmp_path / 'nowhere', out)
    assert code == 2 and 'RIGHT_DIR is not a folder' in err
    code, _, err = match(left, right, left)
    assert code == 2 and '--out must differ from LEFT_DIR' in err
    code, _, err = match(left, right, out, '--right-replace', 'zzz', 'yyy')
    assert code == 2 and "no images whose name contains 'zzz'" in err
    with pytest.raises(SystemExit) as exit_info, contextlib.redirect_stderr(io.StringIO()):
        match(left, right, out, '--shard', '2/2')
    assert exit_info.value.code == 2
    assert not osp.exists(out)
    if not wls_available():
        code, _, err = match(left, right, out, '--wls')
        assert code == 2 and 'pip install "opencv-contrib-python-headless==' in err


def test_help_shows_the_defaults():
    stdout = io.StringIO()
    with pytest.raises(SystemExit), contextlib.redirect_stdout(stdout):
        load_tool('tools/generate_disparity.py').main(['--help'])
    blocks = {' '.join(block.split()).split()[0]: ' '.join(block.split())
              for block in re.split(r'\n  (?=--)', stdout.getvalue())}
    for option, default in (('--num-disparities', 128), ('--min-disparity', 0),
                            ('--block-size', 5), ('--uniqueness', 10), ('--speckle-window', 100),
                            ('--speckle-range', 2), ('--mode', 'sgbm'), ('--lr-max-diff', 1.0),
                            ('--shard', '0/1')):
        assert f'default: {default}' in blocks[option], blocks[option]


@pytest.mark.skipif(not wls_available(), reason='needs cv2.ximgproc (opencv-contrib)')
def test_wls_keeps_invalid_pixels_invalid(stereo_set):
    pairs = stereo_set / 'pairs'
    left, right = (cv2.imread(str(pairs / kind / 'val' / '00000.png')) for kind in
                   ('left', 'right'))
    options = SGBMOptions(num_disparities=int(NUM_DISPARITIES))
    plain = compute_disparity(left, right, options)
    smooth = compute_disparity(left, right, options, wls=True)
    assert np.isnan(smooth[np.isnan(plain)]).all()  # the check's invalid pixels stay invalid
    assert np.isnan(smooth).mean() < np.isnan(plain).mean() + .05
    truth = decode_disparity(read_depth(pairs / 'disparity_gt' / 'val' / '00000.png'))
    scored = np.isfinite(smooth) & np.isfinite(truth)
    assert np.mean(np.abs(smooth[scored] - truth[scored]) > 3) < .1


def test_cityscapes_and_middlebury_naming(stereo_set, tmp_path, tool_main, pretraining_item):
    image = cv2.imread(str(stereo_set / 'pairs' / 'left' / 'train' / '00000.png'))
    partner = cv2.imread(str(stereo_set / 'pairs' / 'right' / 'train' / '00000.png'))
    city = tmp_path / 'cityscapes'
    frame = 'aachen/aachen_000000_000019'
    write_png(city / 'leftImg8bit' / 'train' / f'{frame}_leftImg8bit.png', image)
    write_png(city / 'rightImg8bit' / 'train' / f'{frame}_rightImg8bit.png', partner)
    code, _, err = match(city / 'leftImg8bit' / 'train', city / 'rightImg8bit' / 'train',
                         city / 'disparity' / 'train', '--right-replace', 'leftImg8bit',
                         'rightImg8bit', '--out-replace', '_leftImg8bit', '_disparity')
    assert code == 0, err
    assert outputs(city / 'disparity') == [f'train/{frame}_disparity.png']
    # the Cityscapes check and the PixDepth Cityscapes pipeline read it as official maps
    with contextlib.redirect_stdout(io.StringIO()):
        assert tool_main('dataset_converters/cityscapes.py')(
            [str(city), '--labels', 'none', '--splits', 'train', '--no-progress']) == 0
    item = pretraining_item('pixdepth/pixdepth_r34_8xb32-500e_cityscapes-224x224.py', str(city))
    assert np.isfinite(item['data_samples'].depth_cells.numpy()).any()

    scene = tmp_path / 'middlebury' / 'Adirondack'
    write_png(scene / 'im0.png', image)
    write_png(scene / 'im1.png', partner)
    write_png(scene / 'im1E.png', partner)  # other exposures in the same folder are not left
    code, stdout, err = match(scene.parent, scene.parent, tmp_path / 'middlebury_disparity',
                              '--right-replace', 'im0', 'im1')
    assert code == 0 and '1 left images' in stdout, err
    assert outputs(tmp_path / 'middlebury_disparity') == ['Adirondack/im0.png']
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        dataset = DATASETS.build(dict(type='RGBDFolderDataset', data_root=str(tmp_path),
                                      img_prefix='middlebury', img_suffixes=('im0.png', ),
                                      depth_prefix='middlebury_disparity'))
    assert len(dataset) == 1 and dataset.get_data_info(0)['depth_path'] == str(
        tmp_path / 'middlebury_disparity' / 'Adirondack' / 'im0.png')


def test_stereo_config_pretrains(stereo_set, tmp_path, pretraining_item):
    pairs = str(stereo_set / 'pairs')
    cfg = load_config(osp.join(REPO, CONFIG))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        dataset = DATASETS.build(dict(cfg.train_dataloader.dataset, data_root=pairs,
                                      pipeline=[]))
    assert len(dataset) == NUM_TRAIN
    assert dataset.get_data_info(0)['depth_path'] == osp.join(pairs, 'disparity', 'train',
                                                              '00000.png')
    item = pretraining_item(osp.relpath(CONFIG, 'configs'), pairs)
    cells = item['data_samples'].depth_cells.numpy()
    assert cells.shape == (2, 6, 6) and np.isfinite(cells).mean() > .5
    work_dir = tmp_path / 'work'
    options = dict(pretrain_options(pairs), **{  # 2 iterations of 2 pairs
        'train_dataloader.batch_size': 2, 'train_dataloader.dataset.indices': 4})
    train([osp.join(REPO, CONFIG), '--work-dir', str(work_dir), '--cfg-options',
           *as_cli(options)])
    assert osp.isfile(work_dir / 'epoch_1.pth')
    log = run_log(str(work_dir))
    assert 'Epoch(train) [1][2/2]' in log and 'loss_pixel' in log
