"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [--work-dir DIR]``."""
import argparse
import os

from mmengine.config import DictAction
from mmengine.fileio import dump
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import mmpixdepth  # noqa: F401  (registers modules, installs the checkpoint loader)
from mmpixdepth.engine import require_weights_fit
from mmpixdepth.utils import init_cpu_dist, load_config, report_user_errors
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description='Evaluate a checkpoint with mmpixdepth')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='folder for the evaluation logs')
    parser.add_argument(
        '--out', help='dump every prediction to this .pkl file (mmengine DumpResults)')
    parser.add_argument(
        '--show-dir', help="paint the predictions into this folder with the config's "
        'visualization hook (images under SHOW_DIR/vis_data/vis_image)')
    parser.add_argument(
        '--allow-partial', action='store_true',
        help="evaluate even when the checkpoint lacks some of the model's weights (by default "
        'an error naming what the file holds and what is missing: those weights would be '
        'random)')
    parser.add_argument('--metrics-out', help='dump the metrics to this JSON/YAML/pickle file')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. test_dataloader.batch_size=2; unknown keys are an error')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help='set by older launchers (torch.distributed.launch)')
    args = parser.parse_args(argv)
    if args.out and not args.out.endswith(('.pkl', '.pickle')):
        parser.error(f'--out {args.out}: the predictions file must end in .pkl or .pickle '
                     '(the metrics go to --metrics-out)')
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def dump_predictions(cfg, out):
    """Add mmengine's ``DumpResults`` to the test evaluator, writing every prediction to ``out``."""
    metrics = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
    cfg.test_evaluator = [*metrics, dict(type='mmengine.DumpResults', out_file_path=out)]


def paint_predictions(cfg, show_dir):
    """Turn on the config's visualization hook, saving into ``show_dir`` (as mmseg's and
    mmpretrain's test tools do with theirs)."""
    hook = (cfg.get('default_hooks') or {}).get('visualization')
    if not isinstance(hook, dict):
        raise KeyError(f'--show-dir: config {cfg.filename} has no default_hooks.visualization, '
                       "e.g. dict(type='SegVisualizationHook')")
    hook.setdefault('interval', 1)  # every test batch, unless --cfg-options says otherwise
    if hook.get('type') == 'SegVisualizationHook':
        hook.draw = True
        cfg.visualizer.save_dir = show_dir
        # a visualizer of this name may exist in the process, with its own save_dir
        cfg.visualizer.pop('name', None)
    else:  # mmpretrain's VisualizationHook
        hook.enable = True
        hook.out_dir = show_dir


@report_user_errors
def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    init_cpu_dist(args.launcher)
    if '://' not in args.checkpoint and not os.path.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} does not exist (a path relative '
                                f'to {os.getcwd()}, or a URL)')
    cfg.load_from = args.checkpoint
    require_weights_fit(cfg, 0.0 if args.allow_partial else 1.0)
    if args.out:
        dump_predictions(cfg, args.out)
    if args.show_dir:
        paint_predictions(cfg, args.show_dir)
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    metrics = runner.test()
    if args.metrics_out:
        dump(metrics, args.metrics_out)
        print(f'metrics written to {args.metrics_out}')


if __name__ == '__main__':
    main()
