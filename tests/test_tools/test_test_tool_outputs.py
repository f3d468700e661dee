"""tools/test.py: predictions (--out), painted images (--show-dir), metrics (--metrics-out)."""
import json
import os
import os.path as osp
import pickle

import cv2
import pytest


def run_config(seg_run):
    """The config of the session's segmentation run as its Runner dumped it (tiny data included)."""
    names = [name for name in os.listdir(seg_run) if name.endswith('.py')]
    assert len(names) == 1, names
    return osp.join(seg_run, names[0])


def test_predictions_painted_images_and_metrics(seg_run, tool, tmp_path):
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
        assert image is not None and image.shape[:2] == (64, 128)  # ground truth | prediction

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
