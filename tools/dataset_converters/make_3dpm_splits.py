"""Write class-stratified split files of a 3DPM folder layout: one split or k folds.

    python tools/dataset_converters/make_3dpm_splits.py data/3dpm [--ratios 0.6 0.2 0.2]
        [--names train val test] [--seed 0] [--out-dir splits] [--depth-suffix .png]
    python tools/dataset_converters/make_3dpm_splits.py data/3dpm --folds 5

Every sample (reflectance/<class>/<id>.png with its depth map) is listed and checked, each class
is split in the given proportions from a seeded order, and data_root/<out-dir>/<name>.txt gets
one '<class>/<id>' per line. With --folds K, each class is cut into K parts instead and
data_root/<out-dir>/fold<f>/{train,val,test}.txt tests on part f, validates on part f+1 (mod K)
and trains on the rest (60/20/20 for K = 5). The same samples and seed always give the same
files; existing files with other content are kept unless --overwrite is given.
"""
import argparse
import sys

from mmpixdepth.datasets import write_3dpm_folds, write_3dpm_splits
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description='Write stratified 3DPM split files')
    parser.add_argument('data_root', help='root of reflectance/ and depth/')
    parser.add_argument('--ratios', type=float, nargs='+', default=[0.6, 0.2, 0.2],
                        help='share of each class in each split (one per --names)')
    parser.add_argument('--names', nargs='+', default=['train', 'val', 'test'],
                        help='split names: the files <out-dir>/<name>.txt')
    parser.add_argument('--folds', type=int, metavar='K',
                        help='write K stratified folds (fold<f>/{train,val,test}.txt) instead')
    parser.add_argument('--seed', type=int, default=0, help='seed of the order of each class')
    parser.add_argument('--out-dir', default='splits', help='folder relative to data_root')
    parser.add_argument('--reflectance-prefix', default='reflectance',
                        help='folder of the reflectance images under data_root')
    parser.add_argument('--depth-prefix', default='depth',
                        help='folder of the depth maps under data_root')
    parser.add_argument('--img-suffix', default='.png', help='suffix of the reflectance images')
    parser.add_argument('--depth-suffix', default='.png', help='suffix of the depth maps')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace existing split files that differ')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    layout = dict(reflectance_prefix=args.reflectance_prefix, depth_prefix=args.depth_prefix,
                  img_suffix=args.img_suffix, depth_suffix=args.depth_suffix)
    try:
        if args.folds is None:
            splits = {f'{args.out_dir}/{name}': samples for name, samples in write_3dpm_splits(
                args.data_root, args.ratios, args.names, args.seed, args.out_dir,
                args.overwrite, **layout).items()}
        else:
            folds = write_3dpm_folds(args.data_root, args.folds, args.seed, args.out_dir,
                                     args.overwrite, **layout)
            splits = {f'{args.out_dir}/fold{fold}/{name}': samples
                      for fold, parts in enumerate(folds) for name, samples in parts.items()}
    except (ValueError, FileNotFoundError, FileExistsError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    for name, samples in splits.items():
        print(f'{args.data_root}/{name}.txt: {len(samples)} samples')
    return 0


if __name__ == '__main__':
    sys.exit(main())
