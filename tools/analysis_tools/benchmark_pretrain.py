"""Training speed and memory of PixDepth against PixContrast, BYOL and DenseCL, in one process.

``python tools/analysis_tools/benchmark_pretrain.py [--backbone-depth 18] [--batch-size 8]
[--crop-size 128] [--device cpu] [--threads 1] [--amp]``

1. Train step: forward + backward + optimizer step (mmengine ``OptimWrapper``, SGD) of four
   models built from mmpretrain's registry with the same backbone, batch and input size:
   PixDepth (pixel contrast loss, 3 zipped thresholds), its PixContrast twin (same loss,
   thresholds and widths, no depth test),
   mmpretrain's BYOL and DenseCL (model dicts of mmpretrain's own configs, BN instead of SyncBN,
   a short DenseCL queue). Models are timed in turn within each repeat (the order rotating);
   times are medians over repeats and ratios medians of the per-repeat ratios, so that load
   from other processes hits the compared models alike.
2. Pixel loss alone: forward + backward of PixDepth's pixel loss (3 thresholds) on random
   features of 7x7 ... 56x56 cells, unchunked and chunked (``loss_chunk_size``): time and peak
   memory.
3. Data pipeline: samples/s of the pipeline of ``configs/_base_/datasets/pixpro_synthetic_rgbd.py``
   with depth and without ``LoadDepthFromFile`` (NaN depth cells), ``num_workers=0``.
4. With ``--device cuda --amp``: images/s of each model under mixed precision.

Each ratio line ends with its target and PASS or MISS.
"""
import argparse
import copy
import os
import os.path as osp
import platform
import statistics
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from typing import Callable, Dict, List

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.logging import MessageHub, MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS, MODELS
from mmpretrain.structures import DataSample
from torch.profiler import ProfilerActivity, profile

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets import generate_synthetic_rgbd
from mmpixdepth.utils import sync_bn_to_bn

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MMPRETRAIN_CONFIGS = osp.join(osp.dirname(sys.modules['mmpretrain'].__file__), '.mim', 'configs')
PIXDEPTH_MODEL = osp.join(REPO, 'configs', '_base_', 'models', 'pixdepth_r34.py')
BYOL_CONFIG = osp.join(MMPRETRAIN_CONFIGS, 'byol', 'byol_resnet50_16xb256-coslr-200e_in1k.py')
DENSECL_CONFIG = osp.join(MMPRETRAIN_CONFIGS, 'densecl',
                          'densecl_resnet50_8xb32-coslr-200e_in1k.py')
DATA_CONFIG = osp.join(REPO, 'configs', '_base_', 'datasets', 'pixpro_synthetic_rgbd.py')
MIB = 2.0**20


def parse_args():
    parser = argparse.ArgumentParser(
        description='Time PixDepth, PixContrast, BYOL and DenseCL train steps, the pixel loss '
        '(unchunked / chunked, with peak memory) and the data pipeline (with / without depth) '
        'in one process, and print the ratios with their targets')
    parser.add_argument('--backbone-depth', type=int, choices=[18, 34, 50], default=18,
                        help='ResNet depth shared by all models (default: 18)')
    parser.add_argument('--batch-size', type=int, default=8,
                        help='images per step (2 views each) for the train step, the pixel '
                        'loss and the data loader (default: 8)')
    parser.add_argument('--crop-size', type=int, default=128,
                        help='side of the square views in pixels for the train step; the '
                        'backbone has stride 32, so 128 gives 4x4 cells (default: 128)')
    parser.add_argument('--iters', type=int, default=2,
                        help='timed train steps per model and repeat (default: 2)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed train steps per model first (default: 2)')
    parser.add_argument('--repeats', type=int, default=7,
                        help='interleaved repeats of the train steps; medians are reported '
                        '(default: 7)')
    parser.add_argument('--device', choices=['cpu', 'cuda'], default='cpu',
                        help='device of the models (the data pipeline runs on the CPU)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch and OpenCV CPU threads; 0 keeps their defaults (one per '
                        'core). The default 1 keeps timings stable on a machine shared with '
                        'other processes, where multi-threaded kernels wait for busy cores')
    parser.add_argument('--amp', action='store_true',
                        help='with --device cuda: also time every model with AmpOptimWrapper')
    parser.add_argument('--amp-dtype', choices=['float16', 'bfloat16'], default='float16',
                        help='autocast dtype of --amp (default: float16)')
    parser.add_argument('--loss-sizes', type=int, nargs='+', default=[7, 14, 28, 56],
                        help='feature-map sides of the pixel-loss benchmark (default: 7 14 28 56)')
    parser.add_argument('--loss-type', choices=['propagation', 'contrast'],
                        default='contrast',
                        help="PixDepth loss of the pixel-loss benchmark (default: 'contrast')")
    parser.add_argument('--chunk-size', type=int, default=256,
                        help='loss_chunk_size of the chunked pixel loss: cells of view 1 per '
                        'block (default: 256)')
    parser.add_argument('--loss-iters', type=int, default=1,
                        help='timed pixel-loss passes per size, mode and repeat, at least; '
                        'more for small maps, for about 0.2 s per timing (default: 1)')
    parser.add_argument('--loss-repeats', type=int, default=3,
                        help='interleaved repeats of the pixel-loss timings (default: 3)')
    parser.add_argument('--data-root',
                        help='synthetic RGB-D set for the data benchmark (default: 64 images '
                        'generated into a temporary folder)')
    parser.add_argument('--data-repeats', type=int, default=10,
                        help='passes over the data set per pipeline, alternating batch by '
                        'batch (default: 10)')
    args = parser.parse_args()
    for name in ('batch_size', 'crop_size', 'iters', 'repeats', 'chunk_size', 'loss_iters',
                 'loss_repeats', 'data_repeats'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1')
    if args.warmup < 0 or args.threads < 0:
        parser.error('--warmup and --threads must be >= 0')
    if args.crop_size % 32:
        parser.error('--crop-size must be a multiple of 32 (the backbone stride)')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: no CUDA device is available')
    return args


# ----------------------------------------------------------------------------------------------
# helpers


def sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn: Callable, n: int, device: torch.device) -> float:
    """Mean seconds of ``n`` calls of ``fn``."""
    sync(device)
    start = time.perf_counter()
    for _ in range(n):
        fn()
    sync(device)
    return (time.perf_counter() - start) / n


def interleaved(cases: Dict[str, Callable], n: int, repeats: int,
                device: torch.device) -> Dict[str, List[float]]:
    """Per repeat, the mean seconds of ``n`` calls of each case.

    Within a repeat the cases run one after the other, starting one case later each repeat.
    """
    names = list(cases)
    times = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(timed(cases[name], n, device))
    return times


def median_ratio(a: List[float], b: List[float]) -> float:
    """Median over repeats of ``a[r] / b[r]``: measured close in time, each ratio cancels the
    slow changes of the machine's load."""
    return statistics.median(x / y for x, y in zip(a, b))


@contextmanager
def quiet_stderr():
    """Silence file descriptor 2 (the profiler's C++ start/stop messages)."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def peak_memory(fn: Callable, device: torch.device) -> int:
    """Peak bytes of tensors allocated during ``fn()`` above those alive before it.

    CUDA: ``torch.cuda.max_memory_allocated``. CPU: the allocation (+) and free (-) events of
    torch's CPU allocator recorded by ``torch.profiler(profile_memory=True)``, summed in time
    order; the running maximum is the peak.
    """
    if device.type == 'cuda':
        sync(device)
        base = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        fn()
        sync(device)
        return torch.cuda.max_memory_allocated(device) - base
    with quiet_stderr(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events()
                    if e.name() == '[memory]')
    live = peak = 0
    for _, nbytes in events:
        live += nbytes
        peak = max(peak, live)
    return peak


def ratio_line(name: str, value: float, target: float, upper: bool) -> str:
    """``name: value (target <= / >= target) PASS|MISS``."""
    ok = value <= target if upper else value >= target
    return (f'{name}: {value:.3f}  (target {"<=" if upper else ">="} {target:.2f})  '
            f'{"PASS" if ok else "MISS"}')


def print_table(header: List[str], rows: List[List[str]]) -> None:
    """A markdown table."""
    print('| ' + ' | '.join(header) + ' |')
    print('|' + '|'.join(' --- ' for _ in header) + '|')
    for row in rows:
        print('| ' + ' | '.join(row) + ' |')


def random_views(batch: int, feat_hw, gen: torch.Generator, nan_prob: float = 0.1):
    """Random view boxes [B, 2, 4] (some flipped) and per-cell depth [B, 2, H, W] (some NaN)."""
    size = 0.3 + 0.7 * torch.rand(batch, 2, 2, generator=gen)  # box width, height
    ul = torch.rand(batch, 2, 2, generator=gen) * (1 - size)
    coord = torch.cat([ul, ul + size], dim=-1)
    flip = torch.rand(batch, 2, generator=gen) < 0.5
    coord[flip] = coord[flip][:, [2, 1, 0, 3]]
    depth = torch.rand(batch, 2, *feat_hw, generator=gen)
    depth[torch.rand(batch, 2, *feat_hw, generator=gen) < nan_prob] = float('nan')
    return coord, depth


# ----------------------------------------------------------------------------------------------
# models


def model_cfgs(depth: int, batch: int) -> Dict[str, dict]:
    """Model dicts of PixDepth, PixContrast, BYOL and DenseCL on the same ResNet."""
    channels = 2048 if depth == 50 else 512
    pixdepth = Config.fromfile(PIXDEPTH_MODEL).model.to_dict()
    preprocessor = pixdepth['data_preprocessor']
    pixdepth['backbone'].update(depth=depth)
    pixdepth['neck'].update(in_channels=channels)
    twin = dict(copy.deepcopy(pixdepth), type='PixContrast', depth_thr=None)

    byol = Config.fromfile(BYOL_CONFIG).model.to_dict()
    byol['backbone'].update(depth=depth)
    byol['neck'].update(in_channels=channels, norm_cfg=dict(type='BN1d'))
    byol['head']['predictor'].update(norm_cfg=dict(type='BN1d'))

    densecl = Config.fromfile(DENSECL_CONFIG).model.to_dict()
    densecl['backbone'].update(depth=depth)
    densecl['neck'].update(in_channels=channels)
    densecl['queue_len'] = 128 * batch  # a multiple of the batch, as DenseCL requires

    cfgs = dict(PixDepth=pixdepth, PixContrast=twin, BYOL=byol, DenseCL=densecl)
    for cfg in cfgs.values():
        cfg['data_preprocessor'] = copy.deepcopy(preprocessor)
    sync_bn_to_bn(cfgs)  # one process, possibly on a CPU
    return cfgs


def train_batch(batch: int, crop: int, gen: torch.Generator) -> dict:
    """A collated batch as the data loader gives it: 2 uint8 views and the DataSamples."""
    cells = crop // 32
    coord, depth = random_views(batch, (cells, cells), gen)
    inputs = [torch.randint(0, 256, (batch, 3, crop, crop), generator=gen, dtype=torch.uint8)
              for _ in range(2)]
    samples = []
    for i in range(batch):
        sample = DataSample()
        sample.set_field(coord[i], 'coord')
        sample.set_field(depth[i], 'depth_cells')
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def build_step(cfg: dict, device: torch.device, data: dict, amp_dtype=None) -> Callable:
    """A closure running one train step of a fresh model (seed 0) through an OptimWrapper."""
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(cfg))
    model.init_weights()
    model.to(device).train()
    optim = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-5)
    if amp_dtype is None:
        wrapper = dict(type='OptimWrapper', optimizer=optim)
    else:
        wrapper = dict(type='AmpOptimWrapper', optimizer=optim, dtype=amp_dtype)
    optim_wrapper = build_optim_wrapper(model, wrapper)
    return lambda: model.train_step(data, optim_wrapper)


def bench_train(args, device: torch.device, amp_dtype=None) -> Dict[str, List[float]]:
    """Seconds per train step of each model, per repeat."""
    data = train_batch(args.batch_size, args.crop_size, torch.Generator().manual_seed(0))
    steps = {name: build_step(cfg, device, data, amp_dtype)
             for name, cfg in model_cfgs(args.backbone_depth, args.batch_size).items()}
    for step in steps.values():
        for _ in range(args.warmup):
            step()
    return interleaved(steps, args.iters, args.repeats, device)


# ----------------------------------------------------------------------------------------------
# pixel loss


def bench_loss(args, device: torch.device):
    """Per size: (side, seconds per pass per repeat, peak bytes), unchunked and chunked."""
    cfg = model_cfgs(args.backbone_depth, args.batch_size)['PixDepth']
    channels = cfg['neck']['out_channels']
    if args.loss_type == 'propagation':
        cfg.update(loss_type='propagation',
                   ppm=dict(type='PixelPropagation', channels=channels, norm_cfg=dict(type='BN')))
    models = {}
    for mode, chunk in (('unchunked', None), ('chunked', args.chunk_size)):
        models[mode] = MODELS.build(dict(cfg, loss_chunk_size=chunk)).to(device)
    rows = []
    gen = torch.Generator().manual_seed(1)
    for size in args.loss_sizes:
        coord, depth = random_views(args.batch_size, (size, size), gen)
        coord, depth = coord.to(device), depth.to(device)
        feats = [torch.randn(args.batch_size, channels, size, size, generator=gen).to(device)
                 for _ in range(4)]

        def case(model):

            def run():
                online = [f.detach().requires_grad_(True) for f in feats[:2]]
                model.pixel_group_losses(*online, *feats[2:], coord, depth).mean().backward()

            return run

        cases = {mode: case(model) for mode, model in models.items()}
        start = time.perf_counter()
        memory = {mode: peak_memory(run, device) for mode, run in cases.items()}  # + warm-up
        # small maps: enough passes for about 0.2 s per timing
        n = max(args.loss_iters, round(0.2 * len(cases) / (time.perf_counter() - start)))
        rows.append((size, interleaved(cases, n, args.loss_repeats, device), memory))
    return rows


# ----------------------------------------------------------------------------------------------
# data pipeline


def bench_data(args) -> Dict[str, List[float]]:
    """Seconds per pass over the synthetic set with and without depth, per repeat."""
    cfg = Config.fromfile(DATA_CONFIG)
    pipelines = {
        'with depth': cfg.train_pipeline,
        'without depth': [t for t in cfg.train_pipeline if t['type'] != 'LoadDepthFromFile'],
    }
    warnings.filterwarnings('ignore', message="Only use 'alpha' for pillow backend")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.data_root
        if root is None:
            root = osp.join(tmp, 'synthetic_rgbd')
            with quiet_stderr():  # progress bar
                generate_synthetic_rgbd(root, num_train=64, num_val=1, size=128, seed=0,
                                        workers=1)
        init_default_scope('mmpretrain')
        loaders = {}
        for name, pipeline in pipelines.items():
            dataset = DATASETS.build(dict(cfg.train_dataloader.dataset.to_dict(), data_root=root,
                                          pipeline=pipeline))
            loaders[name] = torch.utils.data.DataLoader(
                dataset, batch_size=args.batch_size, num_workers=0, collate_fn=default_collate)

        np.random.seed(0)
        for loader in loaders.values():
            for _ in loader:  # warm-up (file cache)
                pass
        # One pass over the set per pipeline and repeat, the two alternating batch by batch,
        # so that load from other processes hits both alike.
        seconds = {name: [] for name in loaders}
        for r in range(args.data_repeats):
            batches = {name: iter(loader) for name, loader in loaders.items()}
            spent = dict.fromkeys(loaders, 0.)
            for step in range(len(loaders['with depth'])):
                names = list(loaders)[(r + step) % 2:] + list(loaders)[:(r + step) % 2]
                for name in names:
                    start = time.perf_counter()
                    next(batches[name])
                    spent[name] += time.perf_counter() - start
            for name, s in spent.items():
                seconds[name].append(s)
        return seconds, len(loaders['with depth'].dataset)


# ----------------------------------------------------------------------------------------------


def main():
    args = parse_args()
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
        cv2.setNumThreads(args.threads)
    MMLogger.get_instance('benchmark_pretrain', log_level='WARNING')  # no init_weights report
    MessageHub.get_current_instance().update_info('max_iters', 10**6)  # momentum schedules
    init_default_scope('mmpretrain')
    load = os.getloadavg()
    dev_name = (torch.cuda.get_device_name(device) if device.type == 'cuda'
                else f'CPU ({platform.processor() or platform.machine()})')
    print(f'# benchmark_pretrain: {dev_name}, torch {torch.__version__}, '
          f'{torch.get_num_threads()} torch / {cv2.getNumThreads()} OpenCV threads, '
          f'{os.cpu_count()} CPUs visible, '
          f'load average at start {load[0]:.2f}')
    print(f'# ResNet-{args.backbone_depth}, batch {args.batch_size}, '
          f'{args.crop_size}x{args.crop_size} views, {args.warmup} warm-up + {args.iters} '
          f'timed steps per model and repeat, {args.repeats} interleaved repeats; times are '
          'medians over repeats, ratios medians of per-repeat ratios')
    ratios = []

    print('\n## Train step (forward + backward + SGD step through OptimWrapper)\n')
    steps = bench_train(args, device)
    step = {name: statistics.median(t) for name, t in steps.items()}
    print_table(['model', 'step (ms)', 'images/s', 'PixDepth / model'],
                [[name, f'{s * 1e3:.1f}', f'{args.batch_size / s:.2f}',
                  f'{median_ratio(steps["PixDepth"], steps[name]):.3f}']
                 for name, s in step.items()])
    print('\nPixDepth: 3 zipped thresholds T, T\' in {0.3, 0.5, 0.7}; PixContrast: the same model '
          'without the depth test; BYOL, DenseCL: mmpretrain\'s model dicts (DenseCL queue '
          f'{128 * args.batch_size}); BN everywhere; images/s = batch / step time (2 views '
          'per image).')
    for name, target in (('PixContrast', 1.03), ('BYOL', 1.15), ('DenseCL', 1.15)):
        ratios.append(ratio_line(f'train step PixDepth / {name}',
                                 median_ratio(steps['PixDepth'], steps[name]), target, True))
    ratios.append('  (mmpretrain\'s DenseCL encodes view 1 with the online encoder and view 2 '
                  'with the momentum encoder, one direction per step; PixDepth, PixContrast and BYOL '
                  'encode both views with both encoders. Against twice the DenseCL step (both '
                  'directions) the ratio is '
                  f'{median_ratio(steps["PixDepth"], steps["DenseCL"]) / 2:.3f}: '
                  'an estimate, no target.)')

    print(f'\n## Pixel loss alone ({args.loss_type}, 3 thresholds, batch {args.batch_size}, '
          f'forward + backward, chunk {args.chunk_size} cells)\n')
    rows = []
    for size, times, memory in bench_loss(args, device):
        rows.append([
            f'{size}x{size}', f'{statistics.median(times["unchunked"]) * 1e3:.1f}',
            f'{statistics.median(times["chunked"]) * 1e3:.1f}',
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
    passes, samples = bench_data(args)
    print_table(['pipeline', 'samples/s'], [[name, f'{samples / statistics.median(s):.1f}']
                                            for name, s in passes.items()])
    print('\nwith depth: LoadImageFromFile + LoadDepthFromFile + PixProViews + PackInputs; '
          'without: the same without LoadDepthFromFile (NaN depth cells).')
    ratios.append(ratio_line('data samples/s with depth / without depth',
                             median_ratio(passes['without depth'], passes['with depth']), 0.85,
                             False))

    if args.amp:
        if device.type != 'cuda':
            print('\n## AMP: skipped, mmengine\'s AmpOptimWrapper needs --device cuda')
        else:
            print(f'\n## Train step with AMP ({args.amp_dtype}, AmpOptimWrapper)\n')
            amp = {name: statistics.median(t)
                   for name, t in bench_train(args, device, args.amp_dtype).items()}
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
