"""Disparity maps of rectified stereo pairs: ``python tools/generate_disparity.py LEFT_DIR
RIGHT_DIR --out OUT_DIR``.

``LEFT_DIR/a/b.png`` pairs with ``RIGHT_DIR/a/b.png`` (``--right-replace OLD NEW`` for other
naming) and gets ``OUT_DIR/a/b.png``: a 16-bit PNG in the Cityscapes convention
(round(disparity x 256) + 1, 0 = invalid), matched by OpenCV's SGBM with a left-right check
(:mod:`mmpixdepth.depth_estimation.stereo`). Re-running skips valid outputs, so a killed run
resumes; ``--shard i/n`` splits the work. Exits with 0 when every pair has its output, 1 when
some failed (listed), 2 on a usage error.
"""
import argparse
import sys

from mmpixdepth.depth_estimation import (IMAGE_SUFFIXES, SGBMOptions, check_source_folder,
                                         check_unique_outputs, generate_disparity,
                                         list_left_images, parse_shard, replace_in_name,
                                         take_shard, wls_available)
from mmpixdepth.depth_estimation.generate import print_summary, report_interrupted
from mmpixdepth.depth_estimation.stereo import CONTRIB_HINT, MODES
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter

DEFAULTS = SGBMOptions()


def shard_arg(text):
    try:
        return parse_shard(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter,
        description='Write a disparity map (16-bit PNG, round(disparity x 256) + 1, 0 = '
        'invalid, as Cityscapes) for every rectified pair: LEFT_DIR/a/b.png with '
        'RIGHT_DIR/a/b.png -> OUT_DIR/a/b.png. Image suffixes: '
        f'{" ".join(IMAGE_SUFFIXES)} (any case).')
    parser.add_argument('left_dir', metavar='LEFT_DIR', help='left images, searched recursively')
    parser.add_argument('right_dir', metavar='RIGHT_DIR', help='right images, same relative paths')
    parser.add_argument('--out', required=True, metavar='OUT_DIR', help='output folder (created)')
    matcher = parser.add_argument_group('matching (cv2.StereoSGBM)')
    matcher.add_argument('--num-disparities', type=int, default=DEFAULTS.num_disparities,
                         help='size of the searched disparity range, a multiple of 16; above '
                         'the largest disparity of the pairs (default: %(default)s)')
    matcher.add_argument('--min-disparity', type=int, default=DEFAULTS.min_disparity,
                         help='smallest disparity searched (px, >= 0; default: %(default)s)')
    matcher.add_argument('--block-size', type=int, default=DEFAULTS.block_size,
                         help='odd side of the matched block (px; default: %(default)s)')
    matcher.add_argument('--uniqueness', type=int, default=DEFAULTS.uniqueness,
                         help='margin (%%) by which the best match must beat the second best '
                         '(default: %(default)s)')
    matcher.add_argument('--speckle-window', type=int, default=DEFAULTS.speckle_window,
                         help='largest disparity blob (px) removed as noise; 0 disables '
                         '(default: %(default)s)')
    matcher.add_argument('--speckle-range', type=int, default=DEFAULTS.speckle_range,
                         help='disparity step (px) separating blobs for the speckle filter '
                         '(default: %(default)s)')
    matcher.add_argument('--mode', choices=list(MODES), default=DEFAULTS.mode,
                         help='SGBM variant: sgbm (5 paths), hh (8 paths, more memory), '
                         'sgbm_3way, hh4 (default: %(default)s)')
    matcher.add_argument('--lr-max-diff', type=float, default=DEFAULTS.lr_max_diff,
                         help='left-right check: largest disagreement (px) of a valid pixel; '
                         'occlusions and mismatches beyond it are invalid (0; default: '
                         '%(default)s)')
    matcher.add_argument('--wls', action='store_true',
                         help='smooth with the edge-aware WLS filter of cv2.ximgproc (needs '
                         'opencv-contrib-python-headless); invalid pixels stay invalid')
    names = parser.add_argument_group('pairing and output names')
    names.add_argument('--right-replace', nargs=2, metavar=('OLD', 'NEW'),
                       help='take only left images whose file name contains OLD; the right '
                       'image has the last OLD replaced by NEW (Cityscapes: leftImg8bit '
                       'rightImg8bit; Middlebury: im0 im1)')
    names.add_argument('--out-replace', nargs=2, metavar=('OLD', 'NEW'),
                       help='output file name: the left one with the last OLD replaced by NEW '
                       '(Cityscapes: _leftImg8bit _disparity)')
    parser.add_argument('--shard', type=shard_arg, default='0/1', metavar='I/N',
                        help='process every N-th pair of the sorted list, starting at I '
                        '(0 <= I < N; default: %(default)s, all pairs)')
    parser.add_argument('--overwrite', action='store_true',
                        help='redo pairs whose output is already a valid PNG')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def select_pairs(args):
    """The sorted relative left paths of this shard, after checks of the folders and names."""
    for name, folder in (('LEFT_DIR', args.left_dir), ('RIGHT_DIR', args.right_dir)):
        check_source_folder(name, folder, '--out', args.out, 'disparity')
    rel_paths = list_left_images(args.left_dir, args.out, args.right_replace)
    if not rel_paths:
        which = (f' whose name contains {args.right_replace[0]!r}' if args.right_replace
                 else '')
        raise ValueError(f'no images{which} under {args.left_dir} (suffixes: '
                         f'{" ".join(IMAGE_SUFFIXES)})')
    check_unique_outputs([replace_in_name(rel, args.out_replace) for rel in rel_paths])
    return take_shard(rel_paths, args.shard, f'left images under {args.left_dir}')


def main(argv=None):
    args = parse_args(argv)
    try:
        options = SGBMOptions(
            num_disparities=args.num_disparities, min_disparity=args.min_disparity,
            block_size=args.block_size, uniqueness=args.uniqueness,
            speckle_window=args.speckle_window, speckle_range=args.speckle_range,
            lr_max_diff=args.lr_max_diff, mode=args.mode)
        if args.wls and not wls_available():
            raise ValueError(f'--wls needs cv2.ximgproc: {CONTRIB_HINT}')
        rel_paths = select_pairs(args)
    except ValueError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'matching into {args.out} ({options})')
    try:
        summary = generate_disparity(args.left_dir, args.right_dir, args.out, rel_paths,
                                     options, args.wls, args.right_replace, args.out_replace,
                                     args.overwrite, not args.no_progress)
    except KeyboardInterrupt:
        return report_interrupted()

    return print_summary(summary, args.left_dir, 'pairs')


if __name__ == '__main__':
    sys.exit(main())
