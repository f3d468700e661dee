"""Print a config as the tools resolve it: ``python tools/misc/print_config.py CONFIG
[--cfg-options KEY=VALUE ...] [--out FILE]``."""
import argparse
import sys

from mmengine.config import DictAction

import mmpixdepth  # noqa: F401  (registers modules, so --cfg-options keys are checked)
from mmpixdepth.utils import load_config
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter,
        description='Print the resolved config (its _base_ files merged, --cfg-options applied '
        'and checked as tools/train.py checks them)')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. train_cfg.max_epochs=3; unknown keys are an error')
    parser.add_argument('--out', help='also write the resolved config to this .py file')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        cfg = load_config(args.config, args.cfg_options)
    except (KeyError, ValueError, FileNotFoundError) as error:
        sys.exit(f'error: {error.args[0] if error.args else error}')
    print(f'Config:\n{cfg.pretty_text}')
    if args.out:
        cfg.dump(args.out)
        print(f'written to {args.out}')


if __name__ == '__main__':
    main()
