"""Positive cell pairs of PixPro and PixDepth for one cell of two augmented views.

``python tools/visualize_pairs.py CONFIG IMAGE [--depth DEPTH] --cell R C --out pairs.png``

Two views of the image are made by the config's ``PixProViews`` (crops and flips only, no
colour change); for cell (R, C) of view 1 the figure shows which cells of view 2 PixPro takes
as positives (close in the image) and which PixDepth takes (close in the image and in depth),
for each threshold group (T, T') of the config's ``model.dist_thr`` / ``model.depth_thr``
(zipped as the model zips them; ``--dist-thr`` / ``--depth-thr`` override them).
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
from mmpixdepth.models.utils import threshold_groups
from mmpixdepth.utils import load_config
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter
from mmpixdepth.visualization import pairs_figure


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Draw the cells of view 2 that PixPro and PixDepth pair with one cell of '
        'view 1', formatter_class=DefaultsHelpFormatter)
    parser.add_argument('config', help='pretraining config with a PixProViews transform')
    parser.add_argument('image', help='image file')
    parser.add_argument(
        '--depth', help='depth map aligned with the image; when not given, derived from the '
        'image path as the config\'s LoadDepthFromFile does, e.g. images/train/0.png -> '
        'depth/train/0.png')
    parser.add_argument('--cell', nargs=2, type=int, required=True, metavar=('R', 'C'),
                        help='row and column of the cell of view 1, from 0')
    parser.add_argument(
        '--seed', type=int, default=0,
        help='first numpy seed of the views; seeds seed, seed+1, ... are tried until the '
        'cell of view 1 has a PixPro positive in view 2 at the largest T (see --tries)')
    parser.add_argument('--tries', type=int, default=100,
                        help='at most this many seeds are tried (1: use --seed as is)')
    parser.add_argument(
        '--dist-thr', type=float, nargs='+', metavar='T',
        help='spatial thresholds T, in feature-bin diagonals, zipped with the depth thresholds '
        "into groups as the model does; when not given, the config's model.dist_thr")
    parser.add_argument(
        '--depth-thr', type=float, nargs='+', metavar="T'",
        help="depth thresholds T' (depth normalised to [0, 1] per image); when not given, the "
        "config's model.depth_thr")
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
    if (any(t <= 0 for t in args.dist_thr or []) or any(t < 0 for t in args.depth_thr or [])
            or args.panel_size < 1):
        parser.error('--dist-thr and --panel-size must be positive, --depth-thr >= 0')
    return parser, args


def thresholds(cfg, dist_thr, depth_thr):
    """The ``(T, T')`` groups of the options, or where not given of the config's model, and a
    note of where they come from."""
    chosen, sources = {}, []
    for key, option, name, given in (('dist_thr', '--dist-thr', 'T', dist_thr),
                                     ('depth_thr', '--depth-thr', "T'", depth_thr)):
        if given is None:
            given = cfg.get('model', {}).get(key)
            if given is None:
                raise ValueError(f'config {cfg.filename} has no model.{key} (PixPro and '
                                 f'PixContrast configs have no depth_thr): give {option}')
            sources.append(f"{name} from the config's model.{key}")
        else:
            sources.append(f'{name} from {option}')
        chosen[key] = given
    groups = threshold_groups(chosen['dist_thr'], chosen['depth_thr'])
    return [(float(t), float(d)) for t, d in groups], ', '.join(sources)


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
    try:
        groups, source = thresholds(cfg, args.dist_thr, args.depth_thr)
    except ValueError as err:
        parser.error(str(err))
    print("threshold groups (T, T'): " + ', '.join(f'({t:g}, {d:g})' for t, d in groups)
          + f' ({source})', flush=True)

    widest = max(t for t, _ in groups)
    out, seed = sample_views(views, results, cell, widest, args.seed, args.tries)
    print(f'views drawn with seed {seed}; boxes [x_ul, y_ul, x_lr, y_lr]: '
          f'{[[round(v, 3) for v in box] for box in out["coord"].tolist()]}', flush=True)
    if not cell_pairs(out['coord'], out['depth_cells'], cell, widest, 0)['pixpro_pos'].any():
        print(f'note: in {args.tries} draws from seed {args.seed}, cell {cell} of view 1 never '
              f'had a PixPro positive in view 2 at T={widest:g} (the views hardly overlap): '
              'the figure shows the last draw', flush=True)
    figure = pairs_figure(img, out['img'], out['coord'], out['depth_cells'], cell, groups,
                          args.panel_size, source)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if not cv2.imwrite(args.out, figure):
        raise OSError(f'could not write {args.out}')
    print(f'wrote {args.out} ({figure.shape[1]}x{figure.shape[0]})')


if __name__ == '__main__':
    main()
