"""Generate the synthetic 3DPM-like set: ``python tools/generate_synthetic_3dpm.py [--out DIR]``.

7 material classes x ``--num-per-class`` samples (reflectance + depth) in the layout of
``ThreeDPMDataset``, with stratified 60/20/20 split files. An output folder that already holds
the set made with the same arguments is kept as is; any other non-empty folder is refused
unless ``--overwrite`` is given.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

from mmpixdepth.datasets.synthetic_3dpm import (DEPTH_FORMATS, generate_synthetic_3dpm,
                                                synthetic_3dpm_meta)
from mmpixdepth.utils import remove_entries
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter

GENERATED = ('reflectance', 'depth', 'splits', 'meta.json')


def parse_args():
    parser = argparse.ArgumentParser(
        description='Generate the synthetic 3DPM-like dataset',
        formatter_class=DefaultsHelpFormatter)
    parser.add_argument('--out', default='data/synthetic_3dpm', help='output folder')
    parser.add_argument('--num-per-class', type=int, default=20, help='samples per class')
    parser.add_argument('--size', type=int, default=64, help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0, help='seed of the samples and splits')
    parser.add_argument('--depth-format', choices=DEPTH_FORMATS, default='png',
                        help='png: uint16 in 0.1 mm; npy, tif: float32, same unit')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace the generated folders of a non-empty output folder')
    return parser.parse_args()


def main():
    args = parse_args()
    meta = synthetic_3dpm_meta(args.num_per_class, args.size, args.seed, args.depth_format)
    if osp.isdir(args.out) and os.listdir(args.out):
        meta_path = osp.join(args.out, 'meta.json')
        if not args.overwrite:
            if osp.isfile(meta_path):
                with open(meta_path) as f:
                    if json.load(f) == json.loads(json.dumps(meta)):
                        print(f'{args.out} already holds this set; nothing to do.')
                        return 0
            print(f'error: {args.out} is not empty and holds no set made with these arguments; '
                  'pass --overwrite to replace it, or choose another --out.', file=sys.stderr)
            return 1
        remove_entries(args.out, GENERATED)
    start = time.time()
    generate_synthetic_3dpm(args.out, args.num_per_class, args.size, args.seed,
                            args.depth_format)
    print(f'wrote 7 x {args.num_per_class} samples ({args.size}x{args.size}, seed {args.seed}) '
          f'and splits/{{train,val,test}}.txt to {osp.abspath(args.out)} in '
          f'{time.time() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
