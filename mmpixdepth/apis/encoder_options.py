"""The ``--checkpoints`` and ``--labels`` options of the tools that compare encoders."""
import argparse
import os.path as osp
from typing import List

from mmpixdepth.models.encoder import RANDOM


def add_encoder_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--checkpoints CKPT [CKPT ...]`` (``random`` for a random encoder) and
    ``--labels NAME [NAME ...]``."""
    parser.add_argument(
        '--checkpoints', nargs='+', required=True, metavar='CKPT',
        help='pretraining, segmentation or backbone-only checkpoints; "random" for a randomly '
        'initialised encoder')
    parser.add_argument('--labels', nargs='+', metavar='NAME',
                        help='a name per checkpoint (a figure title, a table row); when not given, '
                        'the file names')


def encoder_names(parser: argparse.ArgumentParser, args: argparse.Namespace) -> List[str]:
    """A name per checkpoint of ``args``; a missing checkpoint file or a ``--labels`` of
    another length is a usage error of ``parser``."""
    for checkpoint in args.checkpoints:
        if checkpoint != RANDOM and not osp.isfile(checkpoint):
            parser.error(f'checkpoint {checkpoint} does not exist')
    if args.labels is not None and len(args.labels) != len(args.checkpoints):
        parser.error(f'--labels has {len(args.labels)} names for {len(args.checkpoints)} '
                     'checkpoints')
    return args.labels or [c if c == RANDOM else osp.basename(c) for c in args.checkpoints]
