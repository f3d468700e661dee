"""demo/image_demo.py and demo/similarity_demo.py: run as scripts on a checkpoint of the real
runner, they write what mmpixdepth.apis draws."""
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest

from helpers import REPO, TINY_SEG_CONFIG, load_tool
from mmpixdepth.apis import (inference_model, init_encoder, init_model, show_result,
                             show_similarity)
from mmpixdepth.visualization.drawing import COLORBAR_PX, TITLE_LINE_PX
from mmpixdepth.visualization.seg_visualizer import MIN_HALF_PX

CONFIG = osp.join(REPO, TINY_SEG_CONFIG)


@pytest.fixture(scope='module')
def inputs(tiny_seg_run, tiny_rgbd, tmp_path_factory):
    """(image, checkpoint): a 64x64 image alone in a folder, the narrow DeepLabV3 of 1 epoch."""
    image = str(tmp_path_factory.mktemp('demo_input') / 'photo.png')
    shutil.copy(osp.join(tiny_rgbd, 'images', 'val', '00001.png'), image)
    return image, osp.join(tiny_seg_run, 'epoch_1.pth')


@pytest.fixture(scope='module')
def demo_runs(inputs, tmp_path_factory):
    """{script: (completed process, its working folder)} of both demos, run at the same time
    (one thread each) on ``inputs``: the segmentation config and checkpoint hold an encoder
    too."""
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
        runs[script] = (subprocess.Popen(
            [sys.executable, osp.join(REPO, 'demo', script), *args], cwd=cwd,
            env=dict(os.environ, OMP_NUM_THREADS='1'), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True), cwd)
    done = {}
    for script, (proc, cwd) in runs.items():
        stdout, stderr = proc.communicate(timeout=300)
        done[script] = (subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr),
                        cwd)
    return done


@pytest.mark.slow
def test_image_demo_writes_the_prediction_drawn_over_the_image(demo_runs, inputs):
    out, cwd = demo_runs['image_demo.py']
    assert out.returncode == 0, out.stderr[-3000:]
    written = cv2.imread(str(cwd / 'out' / 'seg.png'))
    assert written.shape[1] == MIN_HALF_PX and written.shape[0] > MIN_HALF_PX + TITLE_LINE_PX
    assert f'wrote out/seg.png ({written.shape[1]}x{written.shape[0]})' in out.stdout
    image, checkpoint = inputs
    model = init_model(CONFIG, checkpoint, device='cpu')
    assert np.array_equal(written, show_result(model, image, inference_model(model, image),
                                               opacity=0.7))


@pytest.mark.slow
def test_similarity_demo_writes_the_map_of_the_encoder(demo_runs, inputs):
    out, cwd = demo_runs['similarity_demo.py']
    assert out.returncode == 0, out.stderr[-3000:]
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
