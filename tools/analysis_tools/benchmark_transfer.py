"""Pretrain encoders, fine-tune DeepLabV3 on each, print mIoU and per-class IoU (mean ± std).

``python tools/analysis_tools/benchmark_transfer.py BENCHMARK [--out-dir DIR] [--seeds 0 1]
[--methods PixDepth PixPro] [--data-root DIR]``

BENCHMARK is a config in ``configs/benchmarks/`` (format in ``mmpixdepth/analysis/transfer.py``).
Everything goes to DIR (default ``work_dirs/<benchmark name>``): one work dir per run with its
logs and checkpoints, ``runs.json`` (every run's metrics), ``results.md`` (the table) and the
similarity-map PNGs of the first seed. Finished runs are reused and killed ones resume when the
command is run again.
"""
import argparse
import os
import os.path as osp
import time
import warnings

import mmpixdepth  # noqa: F401  (registers modules, installs the checkpoint loader)
from mmpixdepth.analysis.similarity_maps import write_similarity_figures
from mmpixdepth.analysis.transfer import (format_table, load_benchmark, run_benchmark,
                                          select_methods, stage_configs, summarize)

DATA_ROOT_KEYS = [f'{loader}.dataset.data_root'
                  for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('benchmark', help='benchmark config (configs/benchmarks/*.py)')
    parser.add_argument('--out-dir', help='output folder (default work_dirs/<benchmark name>)')
    parser.add_argument('--seeds', nargs='+', type=int, help="override the benchmark's seeds")
    parser.add_argument('--methods', nargs='+', metavar='NAME',
                        help='run only these methods (names as in the benchmark)')
    parser.add_argument('--data-root', help="override the data root of every run's datasets")
    args = parser.parse_args()
    if not osp.isfile(args.benchmark):
        parser.error(f'benchmark config {args.benchmark} does not exist')
    return args


def with_data_root(bench, data_root):
    """Add ``data_root`` overrides to every pretraining and fine-tuning of ``bench``."""
    bench.data_root = data_root
    bench.pretrain_options = {**(bench.get('pretrain_options') or {}),
                              'train_dataloader.dataset.data_root': data_root}
    bench.finetune.options = {**(bench.finetune.get('options') or {}),
                              **{key: data_root for key in DATA_ROOT_KEYS}}


def similarity_items(data_root, split, num_images):
    """The first ``num_images`` images of a split in the synthetic layout."""
    names = sorted(os.listdir(osp.join(data_root, 'images', split)))[:num_images]
    return [dict(img_path=osp.join(data_root, 'images', split, n),
                 seg_map_path=osp.join(data_root, 'annotations', split, n),
                 depth_path=osp.join(data_root, 'depth', split, n)) for n in names]


def main():
    args = parse_args()
    # the stack's deprecation notices would bury the progress lines; they stay in the run logs
    warnings.filterwarnings('ignore', module='(mmseg|mmengine|mmpretrain|mmcv)')
    bench = load_benchmark(args.benchmark)
    if args.data_root:
        with_data_root(bench, args.data_root)
    methods = select_methods(bench, args.methods)
    seeds = args.seeds or list(bench.seeds)
    name = osp.splitext(osp.basename(args.benchmark))[0]
    out_dir = args.out_dir or osp.join('work_dirs', name)
    os.makedirs(out_dir, exist_ok=True)
    print(f'{name}: {len(methods)} methods x {len(seeds)} seed(s) -> {out_dir} '
          '(full logs in each run\'s folder)', flush=True)
    start = time.time()

    def figures(seed, seed_runs):
        if seed != seeds[0] or not bench.get('similarity'):
            return
        # the encoder as fine-tuned: a frozen one is bit-identical to its pretraining (or random
        # initialisation), a trainable one is what the labels made of it
        encoders = [(run['method'], run['finetune_checkpoint']) for run in seed_runs]
        _, cfg = stage_configs(bench, methods[0], seed, out_dir)
        items = similarity_items(bench.get('data_root', 'data/synthetic_rgbd'),
                                 bench.similarity.get('split', 'val'),
                                 bench.similarity.get('num_images', 1))
        for path in write_similarity_figures(cfg, encoders, items, out_dir, seed):
            print(f'  wrote {path}', flush=True)

    runs = run_benchmark(bench, out_dir, methods, seeds, after_seed=figures)
    minutes = (time.time() - start) / 60
    table = format_table(summarize(runs, [m['name'] for m in methods]),
                         f'{name}: DeepLabV3 on each encoder, IoU (%) on the test split, '
                         f'seeds {seeds}')
    with open(osp.join(out_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    print(f'\n{table}\n\n{minutes:.1f} min; table in {osp.join(out_dir, "results.md")}, '
          f'every run in {osp.join(out_dir, "runs.json")}', flush=True)


if __name__ == '__main__':
    main()
