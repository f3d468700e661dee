"""Confusion matrix of the predictions that ``tools/test.py --out preds.pkl`` dumped.

``python tools/analysis_tools/confusion_matrix.py CONFIG PREDICTIONS.pkl --out matrix.png
[--normalize] [--ignore-index 255]``

Counts every labelled pixel of the test set by ground-truth class (rows) and predicted class
(columns); the class names come from the config's test dataset. Prints the matrix and draws it.
"""
import argparse
import os.path as osp

import numpy as np
from mmengine.fileio import load
from mmseg.registry import DATASETS

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.analysis.confusion import (confusion_matrix, matrix_text, plot_confusion,
                                           row_percentages)
from mmpixdepth.utils import load_config
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the segmentation config the predictions were made with')
    parser.add_argument('predictions', help='.pkl file of tools/test.py --out')
    parser.add_argument('--out', required=True, help='output PNG file')
    parser.add_argument('--normalize', action='store_true',
                        help='show each row as percentages of its ground-truth pixels '
                        '(default: pixel counts)')
    parser.add_argument('--ignore-index', type=int, default=255,
                        help='label of unlabelled pixels, left out (default: %(default)s)')
    return parser.parse_args(argv)


def class_names(cfg):
    """The classes of the config's test dataset: its ``metainfo``, else its class's."""
    dataset = cfg.test_dataloader.dataset
    classes = (dataset.get('metainfo') or {}).get('classes')
    if classes is None:
        dataset_class = DATASETS.get(dataset.type)
        if dataset_class is None:
            raise KeyError(f'{cfg.filename}: unknown test dataset type {dataset.type!r}')
        classes = dataset_class.METAINFO['classes']
    return list(classes)


def prediction_matrix(predictions, num_classes, ignore_index, source):
    """Summed confusion matrix of the DumpResults records ``predictions``."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    for number, record in enumerate(predictions):
        if 'pred_sem_seg' not in record or 'gt_sem_seg' not in record:
            raise KeyError(f'{source}: prediction {number} lacks pred_sem_seg/gt_sem_seg (keys: '
                           f'{", ".join(record)}); is it from a segmentation config?')
        matrix += confusion_matrix(np.asarray(record['gt_sem_seg']['data']),
                                   np.asarray(record['pred_sem_seg']['data']), num_classes,
                                   ignore_index)
    return matrix


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config)
    if not osp.isfile(args.predictions):
        raise FileNotFoundError(f'{args.predictions}: no such predictions file')
    names = class_names(cfg)
    matrix = prediction_matrix(load(args.predictions), len(names), args.ignore_index,
                               args.predictions)
    shown = row_percentages(matrix) if args.normalize else matrix
    unit = 'row percentages' if args.normalize else 'pixel counts'
    print(f'confusion matrix of {matrix.sum()} pixels ({unit}; rows: ground truth, columns: '
          'prediction)')
    print(matrix_text(shown, names, '{:.1f}' if args.normalize else '{:.0f}'))
    title = f'{osp.splitext(osp.basename(args.config))[0]}\nconfusion matrix ({unit})'
    plot_confusion(shown, names, args.out, title, args.normalize)
    print(f'written to {osp.abspath(args.out)}')


if __name__ == '__main__':
    main()
