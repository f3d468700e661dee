"""Cityscapes with disparity: train-id labels with mmseg's converter, then a check of every
image's disparity map (and label).

    python tools/dataset_converters/cityscapes.py data/cityscapes [--labels convert|check|none]
        [--splits train val] [--nproc 8]

data/cityscapes holds the unzipped leftImg8bit_trainvaltest.zip, gtFine_trainvaltest.zip and
disparity_trainvaltest.zip. --labels convert (default) writes *_gtFine_labelTrainIds.png with
mmsegmentation's tools/dataset_converters/cityscapes.py (needs cityscapesscripts), check only
checks them, none skips labels (pretraining). Disparity maps are checked, not changed: 16-bit
grey PNGs of the image size, p = 0 invalid, else (p - 1) / 256 pixels.
"""
import argparse
import sys

from mmpixdepth.datasets.converters.cityscapes import LABEL_MODES, convert_cityscapes
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Prepare and check Cityscapes with disparity',
        formatter_class=DefaultsHelpFormatter)
    parser.add_argument('root', help='Cityscapes root, e.g. data/cityscapes')
    parser.add_argument('--labels', choices=LABEL_MODES, default='convert',
                        help='convert (default), check existing, or none')
    parser.add_argument('--splits', nargs='+', default=['train', 'val'],
                        help='splits to prepare and check')
    parser.add_argument('--nproc', type=int, default=1, help='processes for label conversion')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    args = parser.parse_args(argv)
    try:
        summary = convert_cityscapes(args.root, args.splits, args.labels, args.nproc,
                                     progress=not args.no_progress)
    except (FileNotFoundError, ValueError, ImportError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    if args.labels == 'convert':
        print(f'label images written: {summary["labels_written"]}')
    for split in args.splits:
        stats = summary[split]
        low, high = stats['disparity_px']
        print(f'{split}: {stats["images"]} images with disparity, {100 * stats["valid"]:.1f}% '
              f'valid, disparity {low:.2f}..{high:.2f} px ((p - 1) / 256)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
