"""Cosine-similarity heat maps of pretrained encoders at one point of an image.

``python tools/visualize_similarity.py CONFIG IMAGE --checkpoints A.pth [B.pth ...]
--point X Y --out out.png``

The image is resized to SIZE x SIZE so that the encoder's last feature map is about 32x32
cells; the feature vector of the cell holding the point is compared (cosine) with every cell.
Output: one PNG with the image (point marked), the depth map when given, and one heat map per
checkpoint over a colour bar: by default all maps share one scale, from the lowest similarity of
any map (blue) to 1 (red), so that a map that is red everywhere means features that are alike
everywhere.
"""
import argparse
import os
import os.path as osp

import cv2
import mmcv
import torch
from mmengine.config import DictAction

import mmpixdepth  # noqa: F401  (registers modules, installs the checkpoint loader)
from mmpixdepth.analysis.similarity_maps import (FEATURE_CELLS, input_size, point_similarity,
                                                 point_to_cell)
from mmpixdepth.apis.encoder_options import add_encoder_options, encoder_names
from mmpixdepth.datasets import LoadDepthFromFile
from mmpixdepth.models.encoder import RANDOM, config_preprocessor, load_encoder
from mmpixdepth.utils import load_config
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter
from mmpixdepth.visualization import similarity_figure


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Draw, for each encoder, the cosine similarity of the feature at a point '
        'with every feature cell of the image',
        formatter_class=DefaultsHelpFormatter)
    parser.add_argument('config', help='config whose model.backbone is the encoder '
                        '(pretraining or segmentation config)')
    parser.add_argument('image', help='image file')
    add_encoder_options(parser)
    parser.add_argument('--point', nargs=2, type=float, required=True, metavar=('X', 'Y'),
                        help='the point, in pixels of the original image (x right, y down)')
    parser.add_argument('--depth', help='depth map aligned with the image, shown as a panel')
    parser.add_argument(
        '--size', type=int,
        help=f'side of the network input in pixels; when not given, {FEATURE_CELLS} x the '
        f'output stride of the encoder, for a {FEATURE_CELLS}x{FEATURE_CELLS} feature map')
    parser.add_argument('--out', required=True, help='output PNG file')
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument(
        '--fixed-range', action='store_true',
        help='colour every heat map from similarity 0 (blue) to 1 (red); by default all maps '
        'go from the lowest similarity of any map to 1')
    scale.add_argument(
        '--per-map-range', action='store_true',
        help='colour each heat map from its own lowest similarity to 1 (maps no longer '
        'compare by colour)')
    parser.add_argument('--seed', type=int, default=0,
                        help='torch seed of the "random" encoders')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu',
                        help='device of the encoders')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. model.backbone.depth=34; unknown keys are an error')
    args = parser.parse_args(argv)

    for path, what in [(args.config, 'config'), (args.image, 'image'),
                       (args.depth, 'depth map')]:
        if path is not None and not osp.isfile(path):
            parser.error(f'{what} {path} does not exist')
    args.labels = encoder_names(parser, args)
    if args.size is not None and args.size < 1:
        parser.error(f'--size must be a positive number of pixels, got {args.size}')
    if not args.out.lower().endswith('.png'):
        parser.error(f'--out must be a .png file, got {args.out}')
    return parser, args


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    img = mmcv.imread(args.image, flag='color')
    try:
        point_to_cell(*args.point, img.shape[:2], (1, 1))
    except ValueError as err:
        parser.error(f'{args.image}: {err}')
    depth = None
    if args.depth is not None:
        depth = LoadDepthFromFile()(dict(img=img, img_path=args.image,
                                         depth_path=args.depth))['depth']

    preprocessor = config_preprocessor(cfg)
    labels = args.labels
    size, sims = args.size, []
    for checkpoint, label in zip(args.checkpoints, labels):
        if checkpoint == RANDOM:
            print(f'{label}: randomly initialised encoder (seed {args.seed})', flush=True)
        else:
            print(f'{label}: loading the backbone weights of {checkpoint}', flush=True)
        encoder = load_encoder(cfg, checkpoint, args.seed).to(args.device)
        if size is None:
            size = input_size(encoder)
            print(f'encoder output stride {size // FEATURE_CELLS}: input resized to '
                  f'{size}x{size}', flush=True)
        sim, cell = point_similarity(encoder, img, tuple(args.point), size, preprocessor)
        sims.append(sim)
        print(f'{label}: feature map {sim.shape[0]}x{sim.shape[1]}, point in cell {cell}',
              flush=True)

    figure = similarity_figure(img, tuple(args.point), size, sims, labels, depth,
                               args.fixed_range, args.per_map_range)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if not cv2.imwrite(args.out, figure):
        raise OSError(f'could not write {args.out}')
    print(f'wrote {args.out} ({figure.shape[1]}x{figure.shape[0]})')


if __name__ == '__main__':
    main()
