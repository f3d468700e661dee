"""Training speed and memory of PixDepth against PixContrast, BYOL and DenseCL, in one process.

``python tools/analysis_tools/benchmark_pretrain.py [--backbone-depth 18] [--batch-size 8]
[--crop-size 128] [--device cpu] [--threads 1] [--amp]``

1. Train step: forward + backward + optimizer step (mmengine ``OptimWrapper``, SGD) of PixDepth,
   its PixContrast twin and mmpretrain's BYOL and DenseCL on the same backbone, batch and input
   size (``mmpixdepth/analysis/pretrain_speed.py``).
2. Pixel loss alone: forward + backward of PixDepth's pixel loss (3 thresholds) on random
   features of 7x7 ... 56x56 cells, unchunked and chunked (the head's ``chunk_size``): time and peak
   memory (``mmpixdepth/analysis/pixel_loss_speed.py``).
3. Data pipeline: samples/s of the pipeline of ``configs/_base_/datasets/pixpro_synthetic_rgbd.py``
   with depth and without ``LoadDepthFromFile`` (NaN depth cells), ``num_workers=0``
   (``mmpixdepth/analysis/pipeline_speed.py``).
4. Precision modes: the PixDepth train step of the CPU protocol (the model, batch and views of
   ``--mode-config``, default the narrow ResNet-18 of the synthetic benchmarks) in float32,
   channels_last, bfloat16 autocast (``AutocastOptimWrapper`` on a CPU, ``AmpOptimWrapper`` on
   a GPU) and both.
5. With ``--device cuda --amp``: images/s of each model under mixed precision.

Timings are ``torch.utils.benchmark`` Measurements (``Timer.blocked_autorange``) of the compared
cases in turn within each repeat, the order rotating; times are medians of all timed blocks and
ratios medians of the per-repeat ratios, so that load from other processes hits the compared cases
alike. Each ratio line ends with its target and PASS or MISS.
"""
import argparse
import contextlib
import io
import os
import os.path as osp
import platform
import tempfile

import cv2
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.analysis.interleaved_timing import MIN_RUN_TIME, median_ratio, merged_median
from mmpixdepth.analysis.pipeline_speed import pipeline_measurements
from mmpixdepth.analysis.pixel_loss_speed import pixel_loss_measurements
from mmpixdepth.analysis.pretrain_speed import (MODES, mode_measurements, model_cfgs,
                                                train_step_measurements)
from mmpixdepth.datasets import generate_synthetic_rgbd
from mmpixdepth.engine import cpu_has_native_bf16
from mmpixdepth.utils import sync_bn_to_bn
from mmpixdepth.utils.help_formatter import DefaultsHelpFormatter

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PIXDEPTH_MODEL = osp.join(REPO, 'configs', '_base_', 'models', 'pixdepth_r34.py')
DATA_CONFIG = osp.join(REPO, 'configs', '_base_', 'datasets', 'pixpro_synthetic_rgbd.py')
MODE_CONFIG = osp.join(REPO, 'configs', 'pixdepth',
                       'pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py')
MIB = 2.0**20


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        formatter_class=DefaultsHelpFormatter,
        description='Time PixDepth, PixContrast, BYOL and DenseCL train steps, the pixel loss '
        '(unchunked / chunked, with peak memory) and the data pipeline (with / without depth) '
        'in one process, and print the ratios with their targets')
    parser.add_argument('--backbone-depth', type=int, choices=[18, 34, 50], default=18,
                        help='ResNet depth shared by all models')
    parser.add_argument('--batch-size', type=int, default=8,
                        help='images per step (2 views each) for the train step, the pixel '
                        'loss and the data loader')
    parser.add_argument('--crop-size', type=int, default=128,
                        help='side of the square views in pixels for the train step; the '
                        'backbone has stride 32, so 128 gives 4x4 cells')
    parser.add_argument('--iters', type=int, default=2,
                        help='timed train steps per model and repeat, about: blocked_autorange '
                        'times steps for this many warm-up step times (and at least '
                        f'{MIN_RUN_TIME} s), after one untimed step of its own')
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed train steps per model first, at least 1: their mean time '
                        'sets the run time of --iters')
    parser.add_argument('--repeats', type=int, default=7,
                        help='interleaved repeats of the train steps')
    parser.add_argument('--device', choices=['cpu', 'cuda'], default='cpu',
                        help='device of the models (the data pipeline runs on the CPU)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch and OpenCV CPU threads; 0 keeps their defaults (one per '
                        'core). The default 1 keeps timings stable on a machine shared with '
                        'other processes, where multi-threaded kernels wait for busy cores')
    parser.add_argument('--mode-config', default=MODE_CONFIG,
                        help='pretraining config of the precision-mode benchmark: its model, '
                        'batch size and PixProViews crop size and stride (default: the CPU '
                        'protocol, %(default)s)')
    parser.add_argument('--modes', nargs='+', choices=list(MODES), default=list(MODES),
                        help='precision modes to time side by side')
    parser.add_argument('--mode-repeats', type=int, default=5,
                        help='interleaved repeats of the precision-mode timings')
    parser.add_argument('--amp', action='store_true',
                        help='also time every model under mixed precision (AmpOptimWrapper on '
                        'a GPU, AutocastOptimWrapper in bfloat16 on a CPU)')
    parser.add_argument('--amp-dtype', choices=['float16', 'bfloat16'], default='float16',
                        help='autocast dtype of --amp')
    parser.add_argument('--loss-sizes', type=int, nargs='+', default=[7, 14, 28, 56],
                        help='feature-map sides of the pixel-loss benchmark')
    parser.add_argument('--loss-type', choices=['propagation', 'contrast'],
                        default='contrast',
                        help="pixel head of the pixel-loss benchmark: the config's contrast head "
                        'or a propagation head')
    parser.add_argument('--chunk-size', type=int, default=256,
                        help='chunk_size of the pixel head in the chunked mode: cells of view 1 '
                        'per block')
    parser.add_argument('--loss-iters', type=int, default=1,
                        help='timed pixel-loss passes per size, mode and repeat, about; '
                        'blocked_autorange times more for small maps, for at least '
                        f'{MIN_RUN_TIME} s per measurement')
    parser.add_argument('--loss-repeats', type=int, default=3,
                        help='interleaved repeats of the pixel-loss timings')
    parser.add_argument('--data-root',
                        help='synthetic RGB-D set for the data benchmark (default: 64 images '
                        'generated into a temporary folder)')
    parser.add_argument('--data-repeats', type=int, default=10,
                        help='interleaved repeats of the data timings, each a blocked_autorange '
                        f'of at least {MIN_RUN_TIME} s of batches per pipeline, after one '
                        'untimed pass over the set')
    args = parser.parse_args(argv)
    for name in ('batch_size', 'crop_size', 'iters', 'repeats', 'chunk_size', 'loss_iters',
                 'loss_repeats', 'data_repeats', 'mode_repeats'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1')
    if args.warmup < 1 or args.threads < 0:
        parser.error('--warmup must be >= 1 and --threads >= 0')
    if args.crop_size % 32:
        parser.error('--crop-size must be a multiple of 32 (the backbone stride)')
    if args.amp and args.device == 'cpu' and args.amp_dtype != 'bfloat16':
        parser.error('--amp on a CPU runs bfloat16 autocast: add --amp-dtype bfloat16')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: no CUDA device is available')
    return args


def ratio_line(name, value, target, upper):
    """``name: value  (target <= / >= target)  PASS|MISS``."""
    ok = value <= target if upper else value >= target
    return (f'{name}: {value:.3f}  (target {"<=" if upper else ">="} {target:.2f})  '
            f'{"PASS" if ok else "MISS"}')


def print_table(header, rows):
    """A markdown table."""
    print('| ' + ' | '.join(header) + ' |')
    print('|' + '|'.join(' --- ' for _ in header) + '|')
    for row in rows:
        print('| ' + ' | '.join(row) + ' |')


def data_measurements(args):
    """Data-pipeline Measurements on ``--data-root``, or on 64 generated images."""
    if args.data_root is not None:
        return pipeline_measurements(DATA_CONFIG, args.data_root, args.batch_size,
                                     args.data_repeats)
    with tempfile.TemporaryDirectory() as tmp:
        root = osp.join(tmp, 'synthetic_rgbd')
        with contextlib.redirect_stderr(io.StringIO()):  # progress bar
            generate_synthetic_rgbd(root, num_train=64, num_val=1, size=128, seed=0, workers=1)
        return pipeline_measurements(DATA_CONFIG, root, args.batch_size, args.data_repeats)


def mode_setup(config):
    """Model dict, batch size, crop size and feature stride of a pretraining config."""
    cfg = Config.fromfile(config)
    model = cfg.model.to_dict()
    sync_bn_to_bn(model)  # one process, possibly on a CPU
    views = next(t for t in cfg.train_dataloader.dataset.pipeline if t['type'] == 'PixProViews')
    return model, cfg.train_dataloader.batch_size, views['crop_size'], views['feat_stride']


def print_modes(args, device, ratios):
    """The precision-mode table of the PixDepth train step, and its ratio line."""
    model, batch, crop, stride = mode_setup(args.mode_config)
    print(f'\n## PixDepth train step by precision mode ({osp.relpath(args.mode_config, REPO)}: '
          f'batch {batch}, {crop}x{crop} views, {crop // stride}x{crop // stride} cells)\n')
    times = mode_measurements(model, batch, crop, stride, device, args.mode_repeats,
                              args.iters, args.warmup, args.modes)
    first = args.modes[0]
    print_table(['mode', 'step (ms)', 'images/s', f'time / {first}'],
                [[mode, f'{merged_median(m) * 1e3:.1f}', f'{batch / merged_median(m):.2f}',
                  f'{median_ratio(m, times[first]):.3f}'] for mode, m in times.items()])
    wrapper = 'AutocastOptimWrapper' if device.type == 'cpu' else 'AmpOptimWrapper'
    native = ('native bfloat16 on this CPU' if cpu_has_native_bf16() else
              'NO native bfloat16 on this CPU (emulated)')
    print(f'\nbf16: bfloat16 autocast through {wrapper} (masks and pixel losses in float32); '
          "channels_last: the model's weights in channels_last layout (activations follow); "
          f'{native}.')
    if 'fp32' in times and 'bf16' in times:
        ratios.append(ratio_line('train step of the CPU protocol, bf16 / fp32',
                                 median_ratio(times['bf16'], times['fp32']), 0.6, True))


def main(argv=None):
    args = parse_args(argv)
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
        cv2.setNumThreads(args.threads)
    MMLogger.get_instance('benchmark_pretrain', log_level='WARNING')  # no init_weights report
    load = os.getloadavg()
    dev_name = (torch.cuda.get_device_name(device) if device.type == 'cuda'
                else f'CPU ({platform.processor() or platform.machine()})')
    print(f'# benchmark_pretrain: {dev_name}, torch {torch.__version__}, '
          f'{torch.get_num_threads()} torch / {cv2.getNumThreads()} OpenCV threads, '
          f'{os.cpu_count()} CPUs visible, '
          f'load average at start {load[0]:.2f}')
    print(f'# ResNet-{args.backbone_depth}, batch {args.batch_size}, '
          f'{args.crop_size}x{args.crop_size} views, {args.warmup} warm-up steps per model, '
          f'then {args.repeats} interleaved repeats of torch.utils.benchmark blocked_autorange '
          f'(about {args.iters} timed steps, at least {MIN_RUN_TIME} s per model and repeat); '
          'times are medians of all timed blocks, ratios medians of per-repeat ratios')
    ratios = []

    print('\n## Train step (forward + backward + SGD step through OptimWrapper)\n')
    cfgs = model_cfgs(PIXDEPTH_MODEL, args.backbone_depth, args.batch_size)
    steps = train_step_measurements(cfgs, args.batch_size, args.crop_size, device, args.repeats,
                                    args.iters, args.warmup)
    step = {name: merged_median(m) for name, m in steps.items()}
    print_table(['model', 'step (ms)', 'images/s', 'PixDepth / model'],
                [[name, f'{s * 1e3:.1f}', f'{args.batch_size / s:.2f}',
                  f'{median_ratio(steps["PixDepth"], steps[name]):.3f}']
                 for name, s in step.items()])
    print('\nPixDepth: 3 zipped thresholds T, T\' in {0.3, 0.5, 0.7}; PixContrast: the same model '
          'without the depth test; BYOL, DenseCL: mmpretrain\'s model dicts (DenseCL queue '
          f'{cfgs["DenseCL"]["queue_len"]}); BN everywhere; images/s = batch / step time (2 '
          'views per image).')
    for name, target in (('PixContrast', 1.03), ('BYOL', 1.15), ('DenseCL', 1.15)):
        ratios.append(ratio_line(f'train step PixDepth / {name}',
                                 median_ratio(steps['PixDepth'], steps[name]), target, True))
    ratios.append('  (mmpretrain\'s DenseCL encodes view 1 with the online encoder and view 2 '
                  'with the momentum encoder, one direction per step; PixDepth, PixContrast and '
                  'BYOL encode both views with both encoders. Against twice the DenseCL step '
                  '(both directions) the ratio is '
                  f'{median_ratio(steps["PixDepth"], steps["DenseCL"]) / 2:.3f}: '
                  'an estimate, no target.)')

    print(f'\n## Pixel loss alone ({args.loss_type}, 3 thresholds, batch {args.batch_size}, '
          f'forward + backward, chunk {args.chunk_size} cells)\n')
    rows = []
    for size, times, memory in pixel_loss_measurements(
            cfgs['PixDepth'], args.loss_type, args.loss_sizes, args.batch_size,
            args.chunk_size, device, args.loss_repeats, args.loss_iters):
        rows.append([
            f'{size}x{size}', f'{merged_median(times["unchunked"]) * 1e3:.1f}',
            f'{merged_median(times["chunked"]) * 1e3:.1f}',
            f'{median_ratio(times["chunked"], times["unchunked"]):.2f}',
            f'{memory["unchunked"] / MIB:.1f}', f'{memory["chunked"] / MIB:.1f}',
            f'{memory["chunked"] / memory["unchunked"]:.3f}'
        ])
    print_table(['cells', 'unchunked (ms)', 'chunked (ms)', 'time ratio', 'unchunked peak (MiB)',
                 'chunked peak (MiB)', 'memory ratio'], rows)
    how = ('torch.cuda.max_memory_allocated' if device.type == 'cuda' else
           "the allocation and free events of torch's CPU allocator (torch.profiler, "
           'profile_memory=True) summed in time order')
    print(f'\nPeak memory: tensors allocated during one forward + backward above those alive '
          f'before it, from {how}. Chunked: blocks of {args.chunk_size} cells of a view; the '
          "'contrast' loss recomputes each block in the backward pass (checkpointing), the "
          "'propagation' loss (gradient-free targets) keeps [B, cells, C] per block and "
          'recomputes nothing.')

    print('\n## Data pipeline (configs/_base_/datasets/pixpro_synthetic_rgbd.py, '
          'num_workers=0)\n')
    batches = data_measurements(args)
    print_table(['pipeline', 'samples/s'],
                [[name, f'{args.batch_size / merged_median(m):.1f}']
                 for name, m in batches.items()])
    print('\nwith depth: LoadImageFromFile + LoadDepthFromFile + PixProViews + PackInputs; '
          'without: the same without LoadDepthFromFile (NaN depth cells).')
    ratios.append(ratio_line('data samples/s with depth / without depth',
                             median_ratio(batches['without depth'], batches['with depth']),
                             0.9, False))

    print_modes(args, device, ratios)

    if args.amp:
        wrapper = 'AmpOptimWrapper' if device.type == 'cuda' else 'AutocastOptimWrapper'
        print(f'\n## Train step with AMP ({args.amp_dtype}, {wrapper})\n')
        amp = train_step_measurements(cfgs, args.batch_size, args.crop_size, device,
                                      args.repeats, args.iters, args.warmup, args.amp_dtype)
        amp = {name: merged_median(m) for name, m in amp.items()}
        print_table(['model', 'fp32 images/s', 'AMP images/s', 'speed-up'],
                    [[name, f'{args.batch_size / step[name]:.2f}',
                      f'{args.batch_size / s:.2f}', f'{step[name] / s:.2f}']
                     for name, s in amp.items()])

    print('\n## Ratios\n')
    for line in ratios:
        print(line)
    print(f'\n# load average at end {os.getloadavg()[0]:.2f}')


if __name__ == '__main__':
    main()
