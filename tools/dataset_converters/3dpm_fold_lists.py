"""The Depth Contrast authors' per-fold lists -> the ThreeDPMDataset layout with their folds.

    python tools/dataset_converters/3dpm_fold_lists.py SRC --out data/3dpm \
        [--replace-prefix /home/a_shared_data/MBV_data/ /data/MBV_data/] [--overwrite]

SRC holds Fold_0, Fold_1, ... each with X_raw_{train,val,test}.npy (depth files),
X_ref_{train,val,test}.npy (reflectance files) and Y_{train,val,test}.npy (class names). Every
listed file is copied to reflectance/<class>/<id> and depth/<class>/<id> of the output, and
splits/fold<f>/{train,val,test}.txt keep the authors' folds.
"""
import argparse
import sys

from mmpixdepth.datasets.converters.three_dpm_folds import convert_fold_lists
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def main(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description='Convert per-fold 3DPM lists')
    parser.add_argument('src', help='folder of the Fold_<f> folders')
    parser.add_argument('--out', default='data/3dpm', help='output root')
    parser.add_argument('--replace-prefix', nargs=2, metavar=('OLD', 'NEW'),
                        help='rewrite the start of the listed paths (lists made on another '
                        'machine); relative paths are relative to SRC')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace existing split files that differ')
    args = parser.parse_args(argv)
    try:
        folds = convert_fold_lists(args.src, args.out, args.replace_prefix, args.overwrite)
    except (ValueError, FileNotFoundError, FileExistsError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    for fold, parts in folds.items():
        counts = ', '.join(f'{part} {len(lines)}' for part, lines in parts.items())
        print(f'{args.out}/splits/fold{fold}: {counts} samples')
    return 0


if __name__ == '__main__':
    sys.exit(main())
