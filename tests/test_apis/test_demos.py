"""demo/image_demo.py and demo/similarity_demo.py: run on a checkpoint of the real runner, they
write what mmpixdepth.apis draws."""
import contextlib
import io
import os
import os.path as osp
import re
import shutil

import cv2
import numpy as np
import pytest

from helpers import REPO, SEG_CONFIG, load_tool
from mmpixdepth.apis import (inference_model, init_encoder, init_model, show_result,
                             show_similarity)
from mmpixdepth.visualization.drawing import COLORBAR_PX, TITLE_LINE_PX
from mmpixdepth.visualization.seg_visualizer import MIN_HALF_PX

CONFIG = osp.join(REPO, SEG_CONFIG)


@pytest.fixture(scope='module')
def inputs(seg_run, tiny_rgbd, tmp_path_factory):
    """(image, checkpoint): a 64x64 image alone in a folder, the narrow DeepLabV3 of 1 epoch."""
    image = str(tmp_path_factory.mktemp('demo_input') / 'photo.png')
    shutil.copy(osp.join(tiny_rgbd, 'images', 'val', '00001.png'), image)
    return image, osp.join(seg_run, 'epoch_1.pth')


@pytest.fixture(scope='module')
def demo_runs(inputs, tmp_path_factory):
    """{script: (what it printed, its working folder)} of both demos, each run by its
    ``main(argv)`` in this process from a folder of its own, on ``inputs``: the segmentation
    config and checkpoint hold an encoder too."""
    image, checkpoint = inputs
    argv = {
        'image_demo.py': [image, CONFIG, checkpoint, '--out-file', 'out/seg.png', '--device',
                          'cpu', '--opacity', '0.7'],
        'similarity_demo.py': [image, CONFIG, checkpoint, '--point', '40', '30', '--size',
                               '64', '--device', 'cpu'],
    }
    runs = {}
    for script, args in argv.items():
        cwd = tmp_path_factory.mktemp(osp.splitext(script)[0])
        printed = io.StringIO()
        old_cwd = os.getcwd()
        os.chdir(cwd)
        try:
            with contextlib.redirect_stdout(printed):
                load_tool(f'demo/{script}').main(args)
        finally:
            os.chdir(old_cwd)
        runs[script] = (printed.getvalue(), cwd)
    return runs


@pytest.mark.slow
def test_image_demo_writes_the_prediction_drawn_over_the_image(demo_runs, inputs):
    out, cwd = demo_runs['image_demo.py']
    written = cv2.imread(str(cwd / 'out' / 'seg.png'))
    assert written.shape[1] == MIN_HALF_PX and written.shape[0] > MIN_HALF_PX + TITLE_LINE_PX
    assert f'wrote out/seg.png ({written.shape[1]}x{written.shape[0]})' in out
    image, checkpoint = inputs
    model = init_model(CONFIG, checkpoint, device='cpu')
    assert np.array_equal(written, show_result(model, image, inference_model(model, image),
                                               opacity=0.7))


@pytest.mark.slow
def test_similarity_demo_writes_the_map_of_the_encoder(demo_runs, inputs):
    out, cwd = demo_runs['similarity_demo.py']
    assert 'wrote sim.png' in out, out
    written = cv2.imread(str(cwd / 'sim.png'))  # the default --out-file
    assert written.shape == (64 + 2 * TITLE_LINE_PX + COLORBAR_PX, 2 * 64, 3)
    image, checkpoint = inputs
    encoder = init_encoder(CONFIG, checkpoint, device='cpu')
    assert np.array_equal(written, show_similarity(encoder, image, (40, 30), size=64))


@pytest.mark.parametrize('script, shown', [
    ('image_demo.py', ['(default: result.png)', '(default: 0.5)', '--with-labels']),
    ('similarity_demo.py', ['(default: sim.png)', '--point X Y', '--fixed-range']),
])
def test_help_shows_the_defaults(script, shown, capsys):
    with pytest.raises(SystemExit) as exit_:
        load_tool(f'demo/{script}').parse_args(['--help'])
    text = capsys.readouterr().out
    assert exit_.value.code == 0 and all(part in text for part in shown), text
    assert '--device DEVICE' in text and '(default: None)' not in text


def test_bad_arguments_are_named(inputs, tmp_path, capsys):
    image, checkpoint = inputs
    with pytest.raises(SystemExit):
        load_tool('demo/image_demo.py').parse_args([image, CONFIG, checkpoint, '--opacity', '0'])
    assert '--opacity must be in (0, 1], got 0.0' in capsys.readouterr().err
    missing = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError, match=f'checkpoint {re.escape(missing)} does not'):
        load_tool('demo/similarity_demo.py').main([image, CONFIG, missing, '--point', '1', '1'])
