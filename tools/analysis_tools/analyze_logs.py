"""Curves and iteration times of training runs from mmengine's JSON logs.

``python tools/analysis_tools/analyze_logs.py plot_curve LOG [LOG ...] --keys loss lr
[--legend A B] [--title T] --out curves.png``

``python tools/analysis_tools/analyze_logs.py cal_train_time LOG [LOG ...] [--include-first]``

LOG is a ``vis_data/scalars.json`` file or a work dir (its newest run's log is read).
"""
import argparse
import os.path as osp

import numpy as np

from mmpixdepth.analysis.log_curves import find_scalars, iteration_times, plot_curves, read_scalars
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description=__doc__.split('\n')[0])
    commands = parser.add_subparsers(dest='command', required=True)
    plot = commands.add_parser('plot_curve', help='plot logged keys of one or more runs',
                                formatter_class=DefaultsHelpFormatter)
    plot.add_argument('logs', nargs='+', help='scalars.json files or work dirs')
    plot.add_argument('--keys', nargs='+', default=['loss'],
                      help='logged keys, one panel each (default: %(default)s)')
    plot.add_argument('--legend', nargs='+', help='a name per log (default: the log paths)')
    plot.add_argument('--title', default='Training curves',
                      help='title of the figure (default: %(default)s)')
    plot.add_argument('--out', required=True, help='output PNG file')
    times = commands.add_parser('cal_train_time', help='time per training iteration',
                                formatter_class=DefaultsHelpFormatter)
    times.add_argument('logs', nargs='+', help='scalars.json files or work dirs')
    times.add_argument('--include-first', action='store_true',
                       help='count the first logged iteration (default: left out, a warm-up '
                       'that is usually the slowest)')
    args = parser.parse_args(argv)
    if args.command == 'plot_curve' and args.legend and len(args.legend) != len(args.logs):
        parser.error(f'--legend gives {len(args.legend)} names for {len(args.logs)} logs')
    return args


def train_time(path, include_first):
    """Lines of text on the iteration times of the log at ``path``."""
    iters, seconds = iteration_times(read_scalars(path))
    if not include_first:
        iters, seconds = iters[1:], seconds[1:]
    if not len(seconds):
        raise ValueError(f'{path}: no training record with a time to summarise')
    slowest, fastest = np.argmax(seconds), np.argmin(seconds)
    return [f'{path}: {len(seconds)} logged iterations',
            f'  slowest iteration: {iters[slowest]} ({seconds[slowest]:.4f} s)',
            f'  fastest iteration: {iters[fastest]} ({seconds[fastest]:.4f} s)',
            f'  time std over iterations: {seconds.std():.4f} s',
            f'  average iteration time: {seconds.mean():.4f} s/iter']


def main(argv=None):
    args = parse_args(argv)
    paths = [find_scalars(log) for log in args.logs]
    if args.command == 'cal_train_time':
        for path in paths:
            print('\n'.join(train_time(path, args.include_first)))
        return
    names = args.legend or paths
    plot_curves({name: read_scalars(path) for name, path in zip(names, paths)}, args.keys,
                args.out, args.title)
    print(f'curves of {", ".join(args.keys)} written to {osp.abspath(args.out)}')


if __name__ == '__main__':
    main()
