"""Pretrain encoders, evaluate each downstream, print the benchmark's metrics (mean ± std).

``python tools/analysis_tools/benchmark_transfer.py BENCHMARK [--out-dir DIR] [--seeds 0 1]
[--folds 0 1 2] [--methods PixDepth PixPro] [--data-root DIR] [--precision fp32|bf16]``

Segmentation benchmarks report mIoU and per-class IoU over seeds; k-fold benchmarks (``folds``
and ``metrics`` keys, e.g. ``benchmarks/depthcontrast_synthetic3dpm_kfold.py``) report their
``metrics`` (weighted F1, ...) over folds and seeds.

BENCHMARK is a benchmark config (format in ``mmpixdepth/analysis/transfer/benchmark.py``).
Everything goes to DIR (default ``work_dirs/<benchmark name>``): one work dir per run with its
logs and checkpoints, ``runs.json`` (every run's metrics), ``results.md`` (the tables, the
paired differences and the learnability check) and the similarity-map PNGs of the first seed.
Finished runs are reused and killed ones resume when the command is run again.
"""
import argparse
import os
import os.path as osp
import time
import warnings

import torch

import mmpixdepth  # noqa: F401  (registers modules, installs the checkpoint loader)
from mmpixdepth.analysis.transfer import (PRECISION_OPTIONS, format_report, format_times,
                                          load_benchmark, pretraining_loss_figure,
                                          run_benchmark, select_methods, similarity_figures)
from mmpixdepth.engine import cpu_has_native_bf16
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter, description=__doc__.split('\n')[0])
    parser.add_argument('benchmark', help='benchmark config (benchmarks/*.py)')
    parser.add_argument('--out-dir', help='output folder (default work_dirs/<benchmark name>)')
    parser.add_argument('--seeds', nargs='+', type=int, help="override the benchmark's seeds")
    parser.add_argument('--folds', nargs='+', type=int,
                        help="override the benchmark's folds (k-fold benchmarks only)")
    parser.add_argument('--methods', nargs='+', metavar='NAME',
                        help='run only these methods (names as in the benchmark)')
    parser.add_argument('--data-root',
                        help="the data root of every run's datasets (overrides the benchmark's "
                        'data_root)')
    parser.add_argument('--precision', choices=sorted(PRECISION_OPTIONS),
                        help="the precision of every run (overrides the benchmark's precision, "
                        "not a method's own): bf16 trains and extracts features under bfloat16 "
                        'autocast, fast on CPUs with native bfloat16 (AVX512-BF16 or AMX)')
    args = parser.parse_args(argv)
    if not osp.isfile(args.benchmark):
        parser.error(f'benchmark config {args.benchmark} does not exist')
    return args


def main(argv=None):
    args = parse_args(argv)
    # the stack's deprecation notices would bury the progress lines; they stay in the run logs
    warnings.filterwarnings('ignore', module='(mmseg|mmengine|mmpretrain|mmcv)')
    bench = load_benchmark(args.benchmark, data_root=args.data_root, precision=args.precision)
    methods = select_methods(bench, args.methods)
    seeds = args.seeds or list(bench.seeds)
    folds = args.folds or list(bench.get('folds') or [])
    if folds and 'folds' not in bench:
        raise SystemExit(f'error: --folds: benchmark {args.benchmark} has no "folds" (its data '
                         'has one split)')
    if (any(m.get('precision', bench.get('precision', 'fp32')) == 'bf16' for m in methods)
            and not torch.cuda.is_available() and not cpu_has_native_bf16()):
        print('warning: bf16 runs on a CPU without native bfloat16 (no AVX512-BF16 or AMX) are '
              'emulated and slower than float32: --precision fp32 runs them in float32',
              flush=True)
    name = osp.splitext(osp.basename(args.benchmark))[0]
    out_dir = args.out_dir or osp.join('work_dirs', name)
    os.makedirs(out_dir, exist_ok=True)
    fold_text = f' x {len(folds)} fold(s)' if folds else ''
    print(f'{name}: {len(methods)} methods x {len(seeds)} seed(s){fold_text} -> {out_dir} '
          '(full logs in each run\'s folder)', flush=True)
    start = time.time()

    def figures(seed, seed_runs):
        loss_figure = pretraining_loss_figure(seed_runs, seed, out_dir)
        if loss_figure:
            print(f'  wrote {loss_figure}', flush=True)
        if seed == seeds[0] and bench.get('similarity'):
            for path in similarity_figures(bench, seed_runs, methods[0], seed, out_dir):
                print(f'  wrote {path}', flush=True)

    runs = run_benchmark(bench, out_dir, methods, seeds, after_seed=figures, folds=folds)
    minutes = (time.time() - start) / 60
    names = [m['name'] for m in methods]
    table = format_report(bench, name, runs, names, seeds, folds) + (
        '\n\nTime per stage (minutes, mean over runs):\n\n' + format_times(runs, names))
    with open(osp.join(out_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    print(f'\n{table}\n\n{minutes:.1f} min; table in {osp.join(out_dir, "results.md")}, '
          f'every run in {osp.join(out_dir, "runs.json")}', flush=True)


if __name__ == '__main__':
    main()
