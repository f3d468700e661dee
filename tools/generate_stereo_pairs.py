"""Rectified stereo pairs with known disparity from the synthetic RGB-D set:
``python tools/generate_stereo_pairs.py SOURCE_DIR --out OUT_DIR``.

SOURCE_DIR is a set made by ``tools/generate_synthetic_data.py``; every sample becomes a pair
``OUT_DIR/left/{split}/NNNNN.png`` + ``OUT_DIR/right/...`` with its true disparity
(``disparity_gt/``, 16-bit PNG, round(d x 256) + 1, 0 = unknown) and occlusion mask
(``occlusion/``: 0 visible in the right view, 1 hidden by a nearer surface, 2 outside the right
image); see :mod:`mmpixdepth.datasets.synthetic_stereo`. Exits with 0, or 2 on a usage error.
"""
import argparse
import sys
import time

from mmpixdepth.datasets.synthetic_stereo import (BASELINE_MM, NOISE_STD,
                                                  generate_stereo_pairs)
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter,
        description='Render the right view of every synthetic RGB-D sample (camera focal '
        'length = image width in px, disparity = focal x baseline / depth) and write the pairs '
        'with their true disparity and occlusion masks')
    parser.add_argument('source_dir', metavar='SOURCE_DIR',
                        help='synthetic RGB-D set (tools/generate_synthetic_data.py)')
    parser.add_argument('--out', required=True, metavar='OUT_DIR', help='output folder')
    parser.add_argument('--baseline-mm', type=float, default=BASELINE_MM,
                        help='distance between the cameras (mm); 220 gives about 4-44 px of '
                        'disparity at 128 px width')
    parser.add_argument('--noise-std', type=float, default=NOISE_STD,
                        help='std of the Gaussian noise added to the right view (grey levels)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the noise')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    try:
        meta = generate_stereo_pairs(args.source_dir, args.out, args.baseline_mm,
                                     args.noise_std, args.seed, not args.no_progress)
    except (FileNotFoundError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    low, high = meta['disparity']['range']
    print(f'wrote {sum(meta["counts"].values())} pairs ({meta["image_shape"][1]}x'
          f'{meta["image_shape"][0]}, disparity {low:.1f}..{high:.1f} px) to {args.out} in '
          f'{time.time() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
