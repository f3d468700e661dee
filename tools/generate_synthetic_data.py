"""Generate the synthetic RGB-D set: ``python tools/generate_synthetic_data.py [--out DIR]``.

An output folder that already holds a complete set made with the same arguments is kept as is;
any other non-empty folder is refused unless ``--overwrite`` is given.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

from mmpixdepth.datasets.synthetic import (KINDS, NUM_OBJECTS, SPLITS, check_objects,
                                           generate_synthetic_rgbd, synthetic_meta)
from mmpixdepth.utils import remove_entries
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description='Generate the synthetic RGB-D dataset')
    parser.add_argument('--out', default='data/synthetic_rgbd', help='output folder')
    parser.add_argument('--num-train', type=int, default=500, help='training samples')
    parser.add_argument('--num-val', type=int, default=100, help='validation samples')
    parser.add_argument('--size', type=int, default=128, help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0, help='seed of the whole set')
    parser.add_argument(
        '--object-scale', type=float, default=1.0,
        help='factor on the objects\' size, in [0.1, 2] (0.5: about 94 %% background pixels '
        'instead of about 77 %%)')
    parser.add_argument(
        '--num-objects', type=int, nargs=2, default=list(NUM_OBJECTS), metavar=('MIN', 'MAX'),
        help='min and max objects per scene, within [1, 10]')
    parser.add_argument(
        '--workers', type=int, default=min(4, os.cpu_count() or 1), help='parallel processes')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='replace the generated folders and meta.json of a non-empty output folder')
    return parser.parse_args(argv)


def existing_meta(out):
    path = osp.join(out, 'meta.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def is_complete(out, meta):
    """Whether ``out`` holds every file of the set described by ``meta``."""
    if existing_meta(out) != json.loads(json.dumps(meta)):
        return False
    return all(
        osp.isfile(osp.join(out, kind, split, f'{i:05d}.png'))
        for kind in KINDS for split in SPLITS for i in range(meta['counts'][split]))


def main(argv=None):
    args = parse_args(argv)
    try:
        check_objects(args.object_scale, tuple(args.num_objects))
    except ValueError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    meta = synthetic_meta(args.num_train, args.num_val, args.size, args.seed, args.object_scale,
                          tuple(args.num_objects))
    if osp.isdir(args.out) and os.listdir(args.out):
        if not args.overwrite:
            if is_complete(args.out, meta):
                print(f'{args.out} already holds the complete set ({args.num_train} train + '
                      f'{args.num_val} val, {args.size}x{args.size}, seed {args.seed}); '
                      'nothing to do.')
                return 0
            print(f'error: {args.out} is not empty and holds no complete set made with these '
                  'arguments; pass --overwrite to replace it, or choose another --out.',
                  file=sys.stderr)
            return 1
        remove_entries(args.out, KINDS + ('meta.json', ))
    start = time.time()
    generate_synthetic_rgbd(args.out, args.num_train, args.num_val, args.size, args.seed,
                            args.workers, args.object_scale, tuple(args.num_objects))
    print(f'wrote {args.num_train} train + {args.num_val} val samples ({args.size}x{args.size}, '
          f'seed {args.seed}) to {osp.abspath(args.out)} in {time.time() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
