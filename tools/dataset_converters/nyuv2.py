"""NYU Depth v2 labelled set -> the NYUv2SegDataset layout.

    python tools/dataset_converters/nyuv2.py nyu_depth_v2_labeled.mat classMapping40.mat \
        splits.mat data/nyuv2 [--depth depths|rawDepths]

Writes images/, depth/ (16-bit mm, 0 = missing) and labels40/ (NYU40 ids, 0 unlabelled),
each with train/ (795 frames) and test/ (654 frames) of splits.mat, files named by one-based
frame number. Needs h5py and scipy (pip install -e ".[nyuv2]").
"""
import argparse
import sys

from mmpixdepth.datasets.converters.nyuv2 import DEPTH_VARIABLES, convert_nyuv2
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def main(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description='Convert nyu_depth_v2_labeled.mat')
    parser.add_argument('labeled_mat', help='nyu_depth_v2_labeled.mat (MATLAB v7.3)')
    parser.add_argument('class_mapping', help='classMapping40.mat (mapClass: 894 -> 40 ids)')
    parser.add_argument('splits', help='splits.mat (trainNdxs, testNdxs; one-based)')
    parser.add_argument('out_dir', help='output root, e.g. data/nyuv2')
    parser.add_argument('--depth', choices=DEPTH_VARIABLES, default='depths',
                        help='depths: in-painted (default); rawDepths: sensor depth with holes')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    args = parser.parse_args(argv)
    try:
        summary = convert_nyuv2(args.labeled_mat, args.class_mapping, args.splits, args.out_dir,
                                args.depth, progress=not args.no_progress)
    except (FileNotFoundError, ValueError, ImportError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    for split, stats in summary.items():
        low, high = stats['depth_mm']
        print(f'{split}: {stats["frames"]} frames, depth {low}..{high} mm, '
              f'{100 * stats["missing"]:.1f}% missing, NYU40 ids present: '
              f'{len([i for i in stats["nyu40_ids"] if i])} of 40')
    print(f'wrote {args.out_dir}/{{images,depth,labels40}}/{{{",".join(summary)}}}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
