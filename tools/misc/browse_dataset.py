"""Draw a few samples of a config's dataset and print their value ranges, to check converted
data before training.

    python tools/misc/browse_dataset.py CONFIG [--split train|val|test] [--data-root DIR]
        [--num 4] [--shuffle --seed 0] [--out-dir work_dirs/browse]

CONFIG is any config with a ``{split}_dataloader`` (a dataset base config such as
configs/_base_/datasets/nyuv2_seg.py, a segmentation or a pretraining config). Each sample is
loaded with the config's own loading steps (LoadImageFromFile, LoadAnnotations with the
dataset's label mapping, LoadDepthFromFile with its scale and invalid values, but without
normalisation, so depth is in file units x scale, named where the data states the unit of its
files, e.g. mm, else 'file units x SCALE': see mmpixdepth/datasets/depth_unit.py) and drawn into
OUT_DIR/NNNNN_NAME.png: image (title: the class of a classification sample) | depth (invalid
pixels magenta) over a colour bar in depth units | labels over the image (ignored pixels black)
over a key of the class colours. A wrong unit shows in the printed ranges, a transposed or
shifted map in the picture, a shifted label mapping in the class names.
"""
import argparse
import copy
import os.path as osp
import sys

import mmcv
import numpy as np
from mmengine.config import DictAction
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS as PRETRAIN_DATASETS
from mmpretrain.registry import TRANSFORMS as PRETRAIN_TRANSFORMS
from mmseg.registry import DATASETS as SEG_DATASETS
from mmseg.registry import TRANSFORMS as SEG_TRANSFORMS

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets import LoadDepthFromFile
from mmpixdepth.datasets.depth_unit import depth_unit, file_unit_mm
from mmpixdepth.utils import load_config
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter
from mmpixdepth.visualization.browse import (depth_summary, label_summary, sample_figure,
                                             sample_title)

LOADING = ('LoadImageFromFile', 'LoadAnnotations', 'LoadDepthFromFile')


def build_dataset(dataset_cfg, data_root=None):
    """The dataset of a dataloader config without its pipeline, and its registry scope."""
    dataset_cfg = copy.deepcopy(dataset_cfg)
    if data_root is not None:
        dataset_cfg['data_root'] = data_root
    dataset_cfg['pipeline'] = []
    scope = 'mmseg' if SEG_DATASETS.get(dataset_cfg['type']) is not None else 'mmpretrain'
    registry = SEG_DATASETS if scope == 'mmseg' else PRETRAIN_DATASETS
    with DefaultScope.overwrite_default_scope(scope):
        return registry.build(dataset_cfg), scope


def loading_steps(pipeline, info, scope):
    """The loading transforms of ``pipeline`` (depth without normalisation, into
    ``results['depth']``), plus depth and annotation loading when the data info has files for
    them."""
    steps = {step['type']: dict(step) for step in pipeline if step.get('type') in LOADING}
    steps.setdefault('LoadImageFromFile', dict(type='LoadImageFromFile'))
    if 'depth_path' in info:
        steps.setdefault('LoadDepthFromFile', dict(type='LoadDepthFromFile'))
    if 'seg_map_path' in info and scope == 'mmseg':
        steps.setdefault('LoadAnnotations', dict(type='LoadAnnotations'))
    if 'LoadDepthFromFile' in steps:
        steps['LoadDepthFromFile'].update(normalize='none', norm_range=None, out_key='depth')
    registry = SEG_TRANSFORMS if scope == 'mmseg' else PRETRAIN_TRANSFORMS
    with DefaultScope.overwrite_default_scope(scope):
        return [registry.build(steps[name]) for name in LOADING if name in steps]


def main(argv=None):
    parser = argparse.ArgumentParser(description='Draw dataset samples and print value ranges',
                                     formatter_class=DefaultsHelpFormatter)
    parser.add_argument('config', help='config with a {split}_dataloader')
    parser.add_argument('--split', choices=['train', 'val', 'test'], default='train',
                        help='which dataloader of the config')
    parser.add_argument('--data-root', help='override the dataset\'s data_root')
    parser.add_argument('--num', type=int, default=4, help='samples to draw')
    parser.add_argument('--shuffle', action='store_true', help='random samples (see --seed)')
    parser.add_argument('--seed', type=int, default=0, help='seed of --shuffle')
    parser.add_argument('--height', type=int, default=320, help='panel height in pixels')
    parser.add_argument('--out-dir', default='work_dirs/browse', help='folder of the PNGs')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys')
    args = parser.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    loader = cfg.get(f'{args.split}_dataloader')
    if not loader or 'dataset' not in loader:
        print(f'error: {args.config} has no {args.split}_dataloader.dataset', file=sys.stderr)
        return 1
    try:
        dataset, scope = build_dataset(loader['dataset'], args.data_root)
    except (FileNotFoundError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    order = np.arange(len(dataset))
    if args.shuffle:
        order = np.random.default_rng(args.seed).permutation(order)
    classes = dataset.metainfo.get('classes')
    palette = dataset.metainfo.get('palette')
    unit_mm = file_unit_mm(dataset)
    print(f'{type(dataset).__name__} ({args.split}): {len(dataset)} samples under '
          f'{dataset.data_root}')
    for index in order[:args.num]:
        info = dataset.get_data_info(int(index))
        results = dict(info)
        steps = loading_steps(loader['dataset'].get('pipeline', []), info, scope)
        for step in steps:
            results = step(results)
        scales = [step.scale for step in steps if isinstance(step, LoadDepthFromFile)]
        unit = depth_unit(unit_mm, scales[0]) if scales else None
        img, depth, label = results['img'], results.get('depth'), results.get('gt_seg_map')
        name = osp.splitext(osp.basename(info['img_path']))[0]
        title = sample_title(index, name, info.get('gt_label'), classes)
        line = [f'{title}: {info["img_path"]}: image {img.shape[1]}x{img.shape[0]} '
                f'{img.dtype} {img.min()}..{img.max()}']
        if depth is not None:
            line.append(f'depth {depth_summary(depth, unit)} ({results["depth_path"]})')
        if label is not None:
            line.append(f'labels {label_summary(label, classes)}')
        print('\n    '.join(line))
        figure = sample_figure(img, depth, label, palette, classes, title, args.height,
                               depth_unit=unit)
        mmcv.imwrite(figure, osp.join(args.out_dir, f'{index:05d}_{name}.png'))
    print(f'figures: {args.out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
