"""Which positives does the depth test remove? Pair statistics of a pretraining config's views.

``python tools/analysis_tools/pair_statistics.py CONFIG --seg-dir DIR [--num-samples 500]
[--dist-thr 0.3 0.5 0.7] [--depth-thr 0.05 0.1 0.2 0.3 0.5 0.7] [--out stats.json]``

Draws one view pair per image of the config's training set with its ``PixProViews`` (and its
``LoadDepthFromFile`` options), labels every feature cell with the segmentation label at its
centre (``DIR/<image name>``), and prints, for every threshold pair (T, T'): PixPro's positives
per image and the share that crosses two labels, what PixDepth keeps, and which of the removed
positives were cross-label (the depth test's precision) or same-label (its cost).
"""
import argparse
import json
import os.path as osp

import mmcv
import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.analysis.pair_statistics import cell_labels, merge_counts, pair_statistics
from mmpixdepth.datasets.view_pairs import build_depth_loader, build_views
from mmpixdepth.utils import load_config
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pretraining config (PixDepth/PixPro)')
    parser.add_argument('--seg-dir', required=True,
                        help='folder of label maps named like the training images')
    parser.add_argument('--num-samples', type=int, default=500,
                        help='images used (the first N of the training set), one view pair each')
    parser.add_argument('--dist-thr', nargs='+', type=float, default=[0.3, 0.5, 0.7],
                        help='spatial thresholds T (feature-bin diagonals)')
    parser.add_argument('--depth-thr', nargs='+', type=float,
                        default=[0.05, 0.1, 0.2, 0.3, 0.5, 0.7],
                        help='depth thresholds T\' (normalised depth)')
    parser.add_argument('--seed', type=int, default=0, help='numpy seed of the views')
    parser.add_argument('--out', help='also write the rows as JSON here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. train_dataloader.dataset.data_root=DIR')
    args = parser.parse_args(argv)
    if not osp.isfile(args.config):
        parser.error(f'config {args.config} does not exist')
    if not osp.isdir(args.seg_dir):
        parser.error(f'--seg-dir {args.seg_dir} is not a folder')
    return args


def build_data_list(cfg):
    """``(img_path, depth_path)`` of every training sample, from the config's dataset."""
    from mmpretrain.registry import DATASETS
    from mmengine.registry import DefaultScope
    dataset_cfg = dict(cfg.train_dataloader.dataset, pipeline=[])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        dataset = DATASETS.build(dataset_cfg)
    return [(dataset.get_data_info(i)['img_path'], dataset.get_data_info(i)['depth_path'])
            for i in range(len(dataset))]


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    views, load_depth = build_views(cfg), build_depth_loader(cfg)
    samples = build_data_list(cfg)[:args.num_samples]
    np.random.seed(args.seed)
    feat_hw = (views.feat_size, views.feat_size)
    batches, coords, depths, labels = [], [], [], []
    progress = ProgressBar(len(samples))
    for img_path, depth_path in samples:
        seg_path = osp.join(args.seg_dir, osp.basename(img_path))
        if not osp.isfile(seg_path):
            raise FileNotFoundError(f'no label map {seg_path} for {img_path} (--seg-dir)')
        seg = mmcv.imread(seg_path, flag='unchanged')
        img = mmcv.imread(img_path, flag='color')
        results = load_depth(dict(img=img, img_path=img_path, depth_path=depth_path))
        if seg.shape[:2] != img.shape[:2]:
            raise ValueError(f'{seg_path}: label map {seg.shape[:2]} and image '
                             f'{img.shape[:2]} differ in size')
        out = views(results)
        coords.append(out['coord'])
        depths.append(out['depth_cells'])
        labels.append(cell_labels(seg, out['coord'], feat_hw))
        if len(coords) == 64:
            batches.append(pair_statistics(torch.stack(coords), torch.stack(depths),
                                           torch.stack(labels), args.dist_thr, args.depth_thr))
            coords, depths, labels = [], [], []
        progress.update()
    if coords:
        batches.append(pair_statistics(torch.stack(coords), torch.stack(depths),
                                       torch.stack(labels), args.dist_thr, args.depth_thr))
    rows = merge_counts(batches)
    num = len(samples)
    print(f'\n{num} view pairs, {feat_hw[0]}x{feat_hw[1]} cells per view; cross = the labels '
          'at the two cell centres differ\n')
    print('| T | T\' | PixPro pos/img | PixPro cross % | PixDepth pos/img | PixDepth cross % '
          '| removed: cross % (precision) | cross removed % (recall) | same removed % |')
    print('|---|---|---|---|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['dist_thr']:g} | {r['depth_thr']:g} | {r['pixpro_pos'] / num:.1f} | "
              f"{100 * r['pixpro_cross_rate']:.1f} | {r['pixdepth_pos'] / num:.1f} | "
              f"{100 * r['pixdepth_cross_rate']:.1f} | {100 * r['removed_cross_share']:.1f} | "
              f"{100 * r['cross_removed_rate']:.1f} | {100 * r['same_removed_rate']:.1f} |")
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(config=args.config, num_samples=num, rows=rows), f, indent=1)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'error: {err}')
