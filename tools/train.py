"""Train a model from a config: ``python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]]``."""
import argparse
import logging
import os
import sys

import torch.distributed as dist
from mmengine.config import DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmpixdepth  # noqa: F401  (registers modules, installs the checkpoint loader)
from mmpixdepth.engine import (choose_amp, find_resume_checkpoint, require_weights_fit,
                               resolve_resume, summarise_optimizer_log)
from mmpixdepth.utils import init_cpu_dist, load_config, report_user_errors
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description='Train a model with mmpixdepth')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='folder for logs and checkpoints')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or without a value from the newest complete '
        'checkpoint in the work dir (an error when there is none); a folder: the newest '
        'complete checkpoint in it')
    parser.add_argument(
        '--allow-partial', action='store_true',
        help='load a load_from checkpoint that gives less than half of the weights of the '
        "config's model (by default an error naming what the file holds and what is missing)")
    parser.add_argument(
        '--amp', action='store_true',
        help='mixed-precision training: on a GPU AmpOptimWrapper in bfloat16 (float16 where '
        'the GPU lacks bfloat16), on a CPU with native bfloat16 AutocastOptimWrapper, else '
        'float32 with a warning; the log says which')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help="scale the lr linearly with the total batch size (GPUs x batch) relative to the "
        "config's auto_scale_lr.base_batch_size")
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. train_cfg.max_epochs=3; unknown keys are an error')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help='set by older launchers (torch.distributed.launch)')
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def resume_file(path):
    """The checkpoint ``--resume PATH`` names: the file, or the newest complete one in a
    folder."""
    if not os.path.isdir(path):
        return path
    found = find_resume_checkpoint(path)
    if found is None:
        sys.exit(f'error: --resume {path}: the folder holds no complete checkpoint (it looks '
                 'for the file named in last_checkpoint, then epoch_N.pth / iter_N.pth); give a '
                 'checkpoint file, or --resume alone to resume from the work dir')
    return found


@report_user_errors
def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    init_cpu_dist(args.launcher)
    amp = choose_amp(cfg.optim_wrapper) if args.amp else None
    if amp is not None and amp[0] is not None:
        cfg.optim_wrapper = amp[0]
    if args.auto_scale_lr:
        if 'base_batch_size' not in (cfg.get('auto_scale_lr') or {}):
            raise KeyError(f'--auto-scale-lr: config {args.config} has no '
                           'auto_scale_lr.base_batch_size (the batch its lr is meant for)')
        cfg.auto_scale_lr.enable = True
    if args.resume is not None:
        cfg.resume = True
        cfg.load_from = None if args.resume == 'auto' else resume_file(args.resume)
    require_weights_fit(cfg, 0.0 if args.allow_partial else 0.5)
    try:
        resolve_resume(cfg, required=args.resume == 'auto')
    except FileNotFoundError as err:
        sys.exit(f'error: {err}')
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    summarise_optimizer_log(runner)
    if amp is not None:  # the choice, in the run's log
        runner.logger.log(logging.INFO if amp[0] is not None else logging.WARNING, amp[1])
    runner.train()
    if dist.is_initialized():  # every rank leaves the group together, none mid-collective
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
