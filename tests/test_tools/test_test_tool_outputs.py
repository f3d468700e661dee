"""tools/test.py: predictions (--out), painted images (--show-dir), metrics (--metrics-out)."""
import json
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest

from mmpixdepth.datasets.synthetic import PALETTE


def run_config(seg_run):
    """The config of the session's segmentation run as its Runner dumped it (tiny data included)."""
    names = [name for name in os.listdir(seg_run) if name.endswith('.py')]
    assert len(names) == 1, names
    return osp.join(seg_run, names[0])


def test_predictions_painted_images_and_metrics(seg_run, tiny_rgbd, tool, tmp_path):
    out, show_dir, metrics_out = (str(tmp_path / 'preds.pkl'), str(tmp_path / 'show'),
                                  str(tmp_path / 'metrics.json'))
    tool('tools/test.py').main([
        run_config(seg_run), osp.join(seg_run, 'epoch_2.pth'), '--work-dir', str(tmp_path / 'w'),
        '--out', out, '--show-dir', show_dir, '--metrics-out', metrics_out])

    with open(out, 'rb') as f:
        predictions = pickle.load(f)
    assert len(predictions) == 2  # the two validation images of the tiny set
    for prediction in predictions:
        assert prediction['pred_sem_seg']['data'].shape[-2:] == (64, 64)
        assert osp.basename(prediction['img_path']).endswith('.png')

    painted = sorted(os.listdir(osp.join(show_dir, 'vis_data', 'vis_image')))
    assert len(painted) == 2, painted
    for name in painted:
        image = cv2.imread(osp.join(show_dir, 'vis_data', 'vis_image', name))
        # ground truth | prediction, each 64x64 half enlarged 4x, under a title strip of 20
        # pixels and over a key of the classes present
        assert image is not None and image.shape[1] == 2 * 256 and image.shape[0] > 20 + 256
        gt_title, pred_title = image[:20, :256], image[:20, 256:]
        assert gt_title.any() and pred_title.any()  # 'ground truth', 'prediction'
        assert not np.array_equal(gt_title, pred_title)
        # a swatch of each ground-truth class in its palette colour (BGR on disk)
        label = cv2.imread(osp.join(tiny_rgbd, 'annotations', 'val',
                                    name.split('_')[1]), cv2.IMREAD_UNCHANGED)
        key = image[20 + 256:, :256].reshape(-1, 3)
        present = np.unique(label)
        assert len(present) > 1
        for index in present:
            assert (key == PALETTE[index][::-1]).all(axis=1).any(), (name, index)

    with open(metrics_out) as f:
        assert 'mIoU' in json.load(f)


def test_out_is_for_predictions(seg_run, tool, tmp_path, capsys):
    with pytest.raises(SystemExit):
        tool('tools/test.py').parse_args([run_config(seg_run), 'ckpt.pth', '--out', 'm.json'])
    assert '--out m.json: the predictions file must end in .pkl' in capsys.readouterr().err


def test_show_dir_needs_a_visualization_hook(seg_run, tool, tmp_path):
    config = tmp_path / 'no_hook.py'
    config.write_text(f"_base_ = [{run_config(seg_run)!r}]\n"
                      "default_hooks = dict(visualization=None)\n")
    with pytest.raises(KeyError, match='--show-dir: config .*no_hook.py has no '
                       'default_hooks.visualization'):
        tool('tools/test.py').main([str(config), osp.join(seg_run, 'epoch_2.pth'),
                                    '--show-dir', str(tmp_path / 'show')])
