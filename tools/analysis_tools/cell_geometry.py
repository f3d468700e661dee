"""How alike are the feature cells of frozen encoders? Cosine statistics on labelled images.

``python tools/analysis_tools/cell_geometry.py CONFIG --checkpoints A.pth [B.pth ...] random
[--labels NAME ...] [--split val] [--num-images 96]``

Runs each encoder (the backbone of CONFIG, a segmentation config, with the weights of each
checkpoint, or randomly initialised for ``random``) on the first images of the config's split,
as the frozen probes do, and prints per encoder the mean cosine similarity of pairs of feature
cells: within an image, of the same class and of different classes within an image (and their
gap), and across images. A gap near 0 means that the cells of one image do not tell their
classes apart, which no probe head can undo.
"""
import argparse
import sys

from mmengine.config import DictAction

import mmpixdepth  # noqa: F401  (registers modules, installs the checkpoint loader)
from mmpixdepth.analysis.cell_geometry import cell_cosine_stats
from mmpixdepth.analysis.frozen_probe import build_split, extract_features
from mmpixdepth.apis.encoder_options import add_encoder_options, encoder_names
from mmpixdepth.engine import forward_precision
from mmpixdepth.models.encoder import config_preprocessor, load_encoder
from mmpixdepth.utils import load_config
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter

COLUMNS = ('within', 'same_class', 'other_class', 'gap', 'across')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description=__doc__.split('\n')[0])
    parser.add_argument('config', help='segmentation config: its backbone is the encoder, its '
                        'split the images')
    add_encoder_options(parser)
    parser.add_argument('--split', choices=['train', 'val', 'test'], default='val',
                        help='the config dataloader whose images are used')
    parser.add_argument('--num-images', type=int, default=96,
                        help='the first N images of the split')
    parser.add_argument('--seed', type=int, default=0, help='seed of the random encoder')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, e.g. '
                        'val_dataloader.dataset.data_root=data/synthetic_rgbd')
    args = parser.parse_args(argv)
    args.labels = encoder_names(parser, args)
    if args.num_images < 1:
        parser.error(f'--num-images must be at least 1, got {args.num_images}')
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    dataset = build_split(cfg, args.split)
    subset = [dataset[i] for i in range(min(args.num_images, len(dataset)))]
    dtype, channels_last = forward_precision(cfg.get('optim_wrapper'))
    print(f'mean cosine similarity of pairs of feature cells, {len(subset)} {args.split} images '
          f'of {args.config}')
    print('| encoder | ' + ' | '.join(COLUMNS) + ' |')
    print('|---' * (len(COLUMNS) + 1) + '|')
    for name, checkpoint in zip(args.labels, args.checkpoints):
        encoder = load_encoder(cfg, checkpoint, args.seed)
        feats, labels, _ = extract_features(encoder, subset, config_preprocessor(cfg),
                                            dtype=dtype, channels_last=channels_last)
        stats = cell_cosine_stats(feats, labels, cfg.model.decode_head.get('ignore_index', 255))
        print(f'| {name} | ' + ' | '.join(f'{stats[k]:.3f}' for k in COLUMNS) + ' |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
