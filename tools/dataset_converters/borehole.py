"""Ultrasonic borehole image logs (DLIS) -> the BoreholeDataset layout.

    python tools/dataset_converters/borehole.py WELL.dlis [...] --list-channels
    python tools/dataset_converters/borehole.py WELL.dlis [...] --out data/borehole \
        --amplitude-channel NAME --transit-channel NAME [--reference-azimuth-channel NAME] \
        [--picks picks.csv] [--val-wells W ...] [--tile-height 256] [--overlap 64]

Each file is one well, named by its file name without suffix. Amplitude and transit-time
image channels (one value per azimuth bin and depth sample) are unwrapped into images (rows:
depth increasing downwards, columns: azimuth), cut into tiles along depth, and written as
8-bit amplitude PNGs and float32 transit-time TIFFs (0 = missing). Wells listed in the picks
CSV (well,top,bottom,azimuth,width; metres and degrees) get breakout masks and go to train or
val by well; the others go to unlabelled/. Needs dlisio (pip install -e ".[borehole]").
"""
import argparse
import functools
import os.path as osp
import sys

from mmpixdepth.datasets.converters.borehole import (TILE_INDEX, convert_image_logs,
                                                     list_dlis_channels, read_dlis_image_log,
                                                     read_picks)
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Tile ultrasonic image logs of DLIS files',
        formatter_class=DefaultsHelpFormatter)
    parser.add_argument('dlis', nargs='+', help='DLIS files, one per well')
    parser.add_argument('--list-channels', action='store_true',
                        help='print the frames and channels of the files and exit')
    parser.add_argument('--out', help='output root, e.g. data/borehole')
    parser.add_argument('--amplitude-channel', help='name of the amplitude image channel')
    parser.add_argument('--transit-channel', help='name of the transit-time image channel')
    parser.add_argument('--reference-azimuth-channel',
                        help='channel giving the azimuth (degrees from north) of the first '
                        'column: the images are then oriented to north')
    parser.add_argument('--picks', help='breakout picks CSV: well,top,bottom,azimuth,width')
    parser.add_argument('--val-wells', nargs='+', help='labelled wells for validation')
    parser.add_argument('--val-fraction', type=float, default=0.2,
                        help='share of the labelled wells drawn for validation when '
                        '--val-wells is not given')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the draw of validation wells')
    parser.add_argument('--tile-height', type=int, default=256, help='rows per tile')
    parser.add_argument('--overlap', type=int, default=64, help='rows shared by neighbours')
    parser.add_argument('--amplitude-range', type=float, nargs=2, metavar=('LOW', 'HIGH'),
                        help='amplitude mapped to 0..255 (default: 1st..99th percentile of '
                        'each well)')
    parser.add_argument('--max-missing', type=float, default=0.5,
                        help='skip tiles with more missing amplitude than this')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    args = parser.parse_args(argv)
    try:
        if args.list_channels:
            for path in args.dlis:
                for row in list_dlis_channels(path):
                    print(f'{path}\tframe {row["frame"]} (index {row["index"]})\t'
                          f'{row["channel"]}\tdimension {row["dimension"]}\t'
                          f'{row["units"] or "-"}\t{row["long_name"]}')
            return 0
        if not (args.out and args.amplitude_channel and args.transit_channel):
            parser.error('--out, --amplitude-channel and --transit-channel are required '
                         '(or --list-channels)')
        wells = {osp.splitext(osp.basename(path))[0]: path for path in args.dlis}
        if len(wells) != len(args.dlis):
            parser.error('two files have the same name: wells are named after their files')
        loaders = {well: functools.partial(
            read_dlis_image_log, path, args.amplitude_channel, args.transit_channel,
            args.reference_azimuth_channel, well) for well, path in wells.items()}
        summary = convert_image_logs(
            loaders, args.out, read_picks(args.picks) if args.picks else None, args.val_wells,
            args.val_fraction, args.seed, args.tile_height, args.overlap, args.amplitude_range,
            args.max_missing, progress=not args.no_progress)
    except (FileNotFoundError, ValueError, ImportError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    for split, count in sorted(summary['tiles'].items()):
        print(f'{split}: {count} tiles')
    for key, what in (('skipped', 'wells without a tile (shorter than a tile or mostly missing)'),
                      ('unknown_pick_wells', 'wells of the picks without a DLIS file'),
                      ('picks_outside', 'picks outside the logged depths (by well)')):
        if summary[key]:
            print(f'{what}: {summary[key]}')
    print(f'tile list: {osp.join(args.out, TILE_INDEX)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
