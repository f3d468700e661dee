"""Positive cell pairs of PixPro and PixDepth for one cell of two augmented views.

``python tools/visualize_pairs.py CONFIG IMAGE [--depth DEPTH] --cell R C --out pairs.png``

Two views of the image are made by the config's ``PixProViews`` (crops and flips only, no
colour change); for cell (R, C) of view 1 the figure shows which cells of view 2 PixPro takes
as positives (close in the image) and which PixDepth takes (close in the image and in depth).
"""
import argparse
import os
import os.path as osp

import cv2
import mmcv
from mmengine.config import DictAction

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets.view_pairs import (build_depth_loader, build_views, cell_pairs,
                                            sample_views)
from mmpixdepth.utils import load_config
from mmpixdepth.visualization import pairs_figure


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Draw the cells of view 2 that PixPro and PixDepth pair with one cell of '
        'view 1')
    parser.add_argument('config', help='pretraining config with a PixProViews transform')
    parser.add_argument('image', help='image file')
    parser.add_argument(
        '--depth', help='depth map aligned with the image (default: derived from the image '
        'path as the config\'s LoadDepthFromFile does, e.g. images/train/0.png -> '
        'depth/train/0.png)')
    parser.add_argument('--cell', nargs=2, type=int, required=True, metavar=('R', 'C'),
                        help='row and column of the cell of view 1, from 0')
    parser.add_argument(
        '--seed', type=int, default=0,
        help='first numpy seed of the views; seeds seed, seed+1, ... are tried until the '
        'cell of view 1 has a PixPro positive in view 2 (see --tries)')
    parser.add_argument('--tries', type=int, default=100,
                        help='at most this many seeds are tried (1: use --seed as is)')
    parser.add_argument('--dist-thr', type=float, default=0.7,
                        help='spatial threshold T, in feature-bin diagonals')
    parser.add_argument('--depth-thr', type=float, default=0.3,
                        help="depth threshold T' (depth normalised to [0, 1] per image)")
    parser.add_argument('--panel-size', type=int, default=288, help='side of each panel in pixels')
    parser.add_argument('--out', required=True, help='output PNG file')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. train_dataloader.dataset.pipeline.2.crop_size=128')
    args = parser.parse_args(argv)
    for path, what in ((args.config, 'config'), (args.image, 'image'),
                       (args.depth, 'depth map')):
        if path is not None and not osp.isfile(path):
            parser.error(f'{what} {path} does not exist')
    if not args.out.lower().endswith('.png'):
        parser.error(f'--out must be a .png file, got {args.out}')
    if args.depth_thr < 0 or args.dist_thr <= 0 or args.panel_size < 1:
        parser.error('--dist-thr and --panel-size must be positive, --depth-thr >= 0')
    return parser, args


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    views = build_views(cfg)
    cell = tuple(args.cell)
    if not (0 <= cell[0] < views.feat_size and 0 <= cell[1] < views.feat_size):
        parser.error(f'cell ({cell[0]}, {cell[1]}) is outside the {views.feat_size}x'
                     f'{views.feat_size} grid of feature cells of the views '
                     f'(crop_size {views.crop_size} / feat_stride {views.feat_stride})')

    img = mmcv.imread(args.image, flag='color')
    results = dict(img=img, img_path=args.image, img_shape=img.shape[:2],
                   ori_shape=img.shape[:2])
    depth_loader = build_depth_loader(cfg)
    if args.depth is not None:
        results[depth_loader.depth_key] = args.depth
    results = depth_loader(results)
    print(f'depth map: {results["depth_path"]}', flush=True)

    out, seed = sample_views(views, results, cell, args.dist_thr, args.seed, args.tries)
    print(f'views drawn with seed {seed}; boxes [x_ul, y_ul, x_lr, y_lr]: '
          f'{[[round(v, 3) for v in box] for box in out["coord"].tolist()]}', flush=True)
    if not cell_pairs(out['coord'], out['depth_cells'], cell, args.dist_thr,
                      args.depth_thr)['pixpro_pos'].any():
        print(f'note: in {args.tries} draws from seed {args.seed}, cell {cell} of view 1 never '
              'had a PixPro positive in view 2 (the views hardly overlap): the figure shows '
              'the last draw', flush=True)
    figure = pairs_figure(img, out['img'], out['coord'], out['depth_cells'], cell,
                          args.dist_thr, args.depth_thr, args.panel_size)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if not cv2.imwrite(args.out, figure):
        raise OSError(f'could not write {args.out}')
    print(f'wrote {args.out} ({figure.shape[1]}x{figure.shape[0]})')


if __name__ == '__main__':
    main()
