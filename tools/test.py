"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [--work-dir DIR]``."""
import argparse
import os

from mmengine.config import DictAction
from mmengine.fileio import dump
from mmengine.runner import Runner

import mmpixdepth  # noqa: F401  (registers modules, installs the checkpoint loader)
from mmpixdepth.utils import init_cpu_dist, load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Evaluate a checkpoint with mmpixdepth')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='folder for the evaluation logs')
    parser.add_argument('--out', help='dump the metrics to this JSON/YAML/pickle file')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. test_dataloader.batch_size=2; unknown keys are an error')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    init_cpu_dist(args.launcher)
    if not os.path.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} does not exist')
    cfg.load_from = args.checkpoint
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    if args.out:
        dump(metrics, args.out)
        print(f'metrics written to {args.out}')


if __name__ == '__main__':
    main()
