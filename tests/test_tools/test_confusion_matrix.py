"""tools/analysis_tools/confusion_matrix.py on the predictions of a real test run."""
import os
import os.path as osp
import pickle
import re

import numpy as np
import pytest
from PIL import Image

from mmpixdepth.analysis.confusion import confusion_matrix

CLASSES = ['background', 'disc', 'box', 'triangle', 'ring', 'cross']


@pytest.fixture(scope='module')
def predictions(seg_run, tool, tmp_path_factory):
    """(config, predictions .pkl, metrics) of tools/test.py on the session's segmentation run."""
    folder = tmp_path_factory.mktemp('confusion')
    config = osp.join(seg_run, [name for name in os.listdir(seg_run) if name.endswith('.py')][0])
    out, metrics = str(folder / 'preds.pkl'), str(folder / 'metrics.pkl')
    tool('tools/test.py').main([config, osp.join(seg_run, 'epoch_2.pth'), '--work-dir',
                                str(folder / 'w'), '--out', out, '--metrics-out', metrics])
    with open(metrics, 'rb') as f:
        return config, out, pickle.load(f)


def printed_matrix(text):
    lines = text.split('confusion matrix of ')[1].splitlines()
    assert lines[1].split() == CLASSES  # the header: a column per predicted class
    rows = [line.split() for line in lines[2:2 + len(CLASSES)]]
    assert [row[0] for row in rows] == CLASSES
    return np.array([[float(value) for value in row[1:]] for row in rows])


def test_counts_agree_with_the_test_metrics(predictions, tool, tmp_path, capsys):
    config, preds, metrics = predictions
    out = tmp_path / 'matrix.png'
    tool('tools/analysis_tools/confusion_matrix.py').main([config, preds, '--out', str(out)])
    printed = capsys.readouterr().out
    matrix = printed_matrix(printed)
    assert re.search(r'confusion matrix of 8192 pixels', printed)  # 2 images of 64x64
    assert matrix.sum() == 8192
    diagonal, gt_sums, pred_sums = np.diag(matrix), matrix.sum(1), matrix.sum(0)
    with np.errstate(invalid='ignore', divide='ignore'):
        iou = 100 * diagonal / (gt_sums + pred_sums - diagonal)
    for name, value in zip(CLASSES, iou):
        expected = metrics[f'IoU.{name}']
        assert (np.isnan(value) and np.isnan(expected)) or abs(value - expected) < 0.01, name
    assert abs(100 * diagonal.sum() / matrix.sum() - metrics['aAcc']) < 0.01
    with Image.open(out) as image:
        assert image.size == (600, 600)


def test_normalized_rows(predictions, tool, tmp_path, capsys):
    config, preds, _ = predictions
    out = tmp_path / 'matrix.png'
    tool('tools/analysis_tools/confusion_matrix.py').main(
        [config, preds, '--out', str(out), '--normalize'])
    matrix = printed_matrix(capsys.readouterr().out)
    row_sums = matrix.sum(1)
    assert np.all((np.abs(row_sums - 100) < 0.5) | (row_sums == 0))
    assert out.exists()


def test_ignored_pixels_are_left_out():
    gt = np.array([[0, 1, 255], [2, 2, 1]])
    pred = np.array([[0, 2, 1], [2, 0, 1]])
    expected = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1]])
    np.testing.assert_array_equal(confusion_matrix(gt, pred, 3, ignore_index=255), expected)
    with pytest.raises(ValueError, match=r'a label outside \[0, 3\)'):
        confusion_matrix(gt, pred, 3, ignore_index=None)
