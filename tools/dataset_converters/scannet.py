"""ScanNet -> the ScanNetFramesDataset layout (that of scannet_frames_25k).

From the .sens files (every k-th frame; colour resized to the depth size, 16-bit mm depth,
pose, and NYU40 labels from SCENE_2d-label-filt.zip through scannetv2-labels.combined.tsv)::

    python tools/dataset_converters/scannet.py sens SCANS_DIR data/scannet \
        --splits SPLIT_DIR --label-map scannetv2-labels.combined.tsv [--every 100]

From an unzipped scannet_frames_25k folder (checked, nothing decoded)::

    python tools/dataset_converters/scannet.py frames25k data/scannet --splits SPLIT_DIR

SCANS_DIR holds SCENE/SCENE.sens and SCENE/SCENE_2d-label-filt.zip; SPLIT_DIR holds ScanNet's
scannetv2_train.txt and scannetv2_val.txt (Tasks/Benchmark). Both write
scannetv2_{train,val}.txt with the scenes present into the output root.
"""
import argparse
import sys

from mmpixdepth.datasets.converters.scannet import SPLITS, convert_scannet, prepare_frames_25k
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be >= 1, got {value}')
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description='Convert ScanNet to 2D RGB-D frames')
    modes = parser.add_subparsers(dest='mode', required=True)
    sens = modes.add_parser('sens', help='export frames of the .sens files',
                                formatter_class=DefaultsHelpFormatter)
    sens.add_argument('scans_dir', help='folder of SCENE/SCENE.sens (ScanNet\'s scans/)')
    sens.add_argument('out_dir', help='output root, e.g. data/scannet')
    sens.add_argument('--label-map', required=True, help='scannetv2-labels.combined.tsv')
    sens.add_argument('--every', type=positive_int, default=100,
                      help='export frames 0, k, 2k, ... (100 as in scannet_frames_25k)')
    frames = modes.add_parser('frames25k', help='check an unzipped scannet_frames_25k folder',
                                formatter_class=DefaultsHelpFormatter)
    frames.add_argument('root', help='the unzipped folder, e.g. data/scannet')
    for sub in (sens, frames):
        sub.add_argument('--splits', required=True,
                         help='folder of scannetv2_train.txt and scannetv2_val.txt')
        sub.add_argument('--no-progress', action='store_true', help='no progress bar')
    args = parser.parse_args(argv)
    progress = not args.no_progress
    try:
        if args.mode == 'sens':
            summary = convert_scannet(args.scans_dir, args.out_dir, args.splits, args.label_map,
                                      args.every, progress)
            root = args.out_dir
        else:
            summary = prepare_frames_25k(args.root, args.splits, progress)
            root = args.root
    except (FileNotFoundError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    for split in SPLITS:
        stats = summary[split]
        print(f'{split}: {len(stats["scenes"])} scenes, {len(stats["missing"])} listed scenes '
              f'absent -> {root}/scannetv2_{split}.txt')
        if stats.get('unlabelled'):
            print(f'  without a label archive (no label/ folder): {", ".join(stats["unlabelled"])}')
    print(f'frames: {summary["frames"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
