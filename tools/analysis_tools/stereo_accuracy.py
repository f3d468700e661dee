"""Accuracy of disparity maps on the synthetic stereo pairs:
``python tools/analysis_tools/stereo_accuracy.py PAIRS_DIR DISPARITY_DIR [--split val]``.

PAIRS_DIR is the output of ``tools/generate_stereo_pairs.py``, DISPARITY_DIR the maps of its
left images (``tools/generate_disparity.py PAIRS_DIR/left PAIRS_DIR/right --out DIR``). Prints
the bad-pixel rates (|d - d_true| > 1 and > 3 px) of the valid estimates on visible textured
pixels, the invalid share there and the share of occluded pixels marked invalid (definitions:
:mod:`mmpixdepth.depth_estimation.stereo_accuracy`). Exits with 0, or 1 when ``--max-bad3``
or ``--min-occluded-invalid`` is missed, 2 on a usage error.
"""
import argparse
import glob
import json
import os.path as osp
import sys

from mmpixdepth.depth_estimation import evaluate_stereo
from mmpixdepth.depth_estimation.stereo_accuracy import TEXTURE_THRESHOLD, TEXTURE_WINDOW
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter,
        description='Bad-pixel rates of disparity maps against the truth of synthetic pairs')
    parser.add_argument('pairs_dir', metavar='PAIRS_DIR', help='tools/generate_stereo_pairs.py '
                        'output')
    parser.add_argument('disparity_dir', metavar='DISPARITY_DIR',
                        help='estimated maps of PAIRS_DIR/left, same relative names')
    parser.add_argument('--split', nargs='+', default=['train', 'val'],
                        help='splits scored')
    parser.add_argument('--texture-threshold', type=float, default=TEXTURE_THRESHOLD,
                        help='textured: mean gradient magnitude (grey levels/px) at least this')
    parser.add_argument('--texture-window', type=int, default=TEXTURE_WINDOW,
                        help='side (px) of the window the gradient magnitude is averaged over')
    parser.add_argument('--max-bad3', type=float,
                        help='exit with 1 when the bad-3px rate is above this fraction')
    parser.add_argument('--min-occluded-invalid', type=float,
                        help='exit with 1 when fewer occluded pixels are invalid (fraction)')
    parser.add_argument('--json', metavar='FILE', help='also write the counts and rates here')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    names = sorted(osp.relpath(path, osp.join(args.pairs_dir, 'left'))
                   for split in args.split
                   for path in glob.glob(osp.join(args.pairs_dir, 'left', split, '*.png')))
    try:
        counts, rates = evaluate_stereo(args.pairs_dir, args.disparity_dir, names,
                                        args.texture_threshold, args.texture_window)
    except (FileNotFoundError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'{len(names)} pairs ({", ".join(args.split)}); {counts["evaluated"]} visible '
          f'textured pixels ({rates["textured_share"]:.1%} of those with known disparity), '
          f'{counts["occluded"]} occluded, {counts["outside"]} outside the right image')
    for key, text in (('bad1', 'bad-1px (|d - d_true| > 1) of valid estimates'),
                      ('bad3', 'bad-3px (|d - d_true| > 3) of valid estimates'),
                      ('invalid_textured', 'invalid share of visible textured pixels'),
                      ('occluded_invalid', 'occluded pixels marked invalid'),
                      ('outside_invalid', 'pixels outside the right image marked invalid')):
        print(f'  {text}: {rates[key]:.1%}')
    print(f'  mean absolute error of valid estimates: {rates["epe"]:.3f} px')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(pairs=len(names), counts=counts, rates=rates), f, indent=2)
    missed = []
    if args.max_bad3 is not None and not rates['bad3'] <= args.max_bad3:
        missed.append(f'bad-3px {rates["bad3"]:.1%} > {args.max_bad3:.1%}')
    if args.min_occluded_invalid is not None and \
            not rates['occluded_invalid'] >= args.min_occluded_invalid:
        missed.append(f'occluded marked invalid {rates["occluded_invalid"]:.1%} < '
                      f'{args.min_occluded_invalid:.1%}')
    if missed:
        print(f'target missed: {"; ".join(missed)}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
