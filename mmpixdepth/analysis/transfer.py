"""Transfer benchmark: pretrain encoders, fine-tune DeepLabV3 on each, tabulate the IoUs.

A benchmark is an mmengine config file (see ``configs/benchmarks/``)::

    seeds = [0, 1, 2]
    pretrain_options = {'train_cfg.max_epochs': 3, ...}   # applied to every pretraining config
    finetune = dict(config='configs/deeplabv3_...-frozen_....py', options={...})
    methods = [
        dict(name='PixDepth', pretrain='configs/pixdepth_....py', pretrain_options={...}),
        dict(name='random init', finetune_options={'model.backbone.init_cfg': None}),
        dict(name='supervised', finetune_config='configs/deeplabv3_..._trainable.py'),
    ]
    similarity = dict(images=['data/.../val/000000.png'])   # optional similarity-map figures

For each seed and method: pretrain (if the method has a pretraining config) with
``randomness.seed = seed``, then fine-tune the downstream config with the pretraining's last
checkpoint as ``model.backbone.init_cfg.checkpoint``, then evaluate it on the test split. Every
run has its own work dir ``<out>/seed<seed>/<method>/{pretrain,finetune}``; a finished run leaves
``result.json`` there and is skipped next time, a killed one resumes from its last checkpoint.
"""
import copy
import gc
import json
import logging
import math
import os
import os.path as osp
import re
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmpixdepth.engine import resolve_resume
from mmpixdepth.utils import load_config

RESULT_FILE = 'result.json'
METHOD_KEYS = {'name', 'pretrain', 'pretrain_options', 'finetune_config', 'finetune_options'}


def slug(name: str) -> str:
    """Folder name of a method: lower case, runs of other characters replaced by '-'."""
    return re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')


def load_benchmark(path: str) -> Config:
    """Load and check a benchmark config; errors name the file and the key."""
    bench = Config.fromfile(path)
    for key in ('seeds', 'finetune', 'methods'):
        if key not in bench:
            raise KeyError(f'benchmark {path}: missing key "{key}"')
    if 'config' not in bench.finetune:
        raise KeyError(f'benchmark {path}: finetune has no "config"')
    names = []
    for i, method in enumerate(bench.methods):
        unknown = set(method) - METHOD_KEYS
        if 'name' not in method or unknown:
            raise KeyError(f'benchmark {path}: methods[{i}] needs a "name" and only the keys '
                           f'{sorted(METHOD_KEYS)}; got {sorted(method)}')
        names.append(method['name'])
    if len(set(map(slug, names))) != len(names):
        raise ValueError(f'benchmark {path}: method names must differ: {names}')
    return bench


def select_methods(bench: Config, names: Optional[Sequence[str]]) -> List[dict]:
    """The methods of ``bench`` named in ``names`` (all when None), in the benchmark's order."""
    if not names:
        return list(bench.methods)
    known = {m['name']: m for m in bench.methods}
    missing = [n for n in names if n not in known]
    if missing:
        raise KeyError(f'unknown method(s) {missing}; the benchmark has {list(known)}')
    return [m for m in bench.methods if m['name'] in names]


class ProgressHook(Hook):
    """Progress of a training run on the console (iterations done, loss, elapsed and remaining
    time): one line rewritten in place on a terminal, else a line per tenth of the run."""

    priority = 'VERY_LOW'

    def __init__(self, title: str, stream=None) -> None:
        self.title = title
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.start = self.start_iter = None
        self.printed = -1

    def before_train(self, runner) -> None:
        self.start, self.start_iter = time.time(), runner.iter  # > 0 when resumed

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        done, total = runner.iter + 1, runner.max_iters
        step = max(total // 10, 1)
        if not self.tty and done % step and done != total:
            return
        elapsed = time.time() - self.start
        eta = elapsed / max(done - self.start_iter, 1) * (total - done)
        loss = float(outputs['loss'].detach()) if outputs and 'loss' in outputs else math.nan
        line = (f'  {self.title}: iter {done}/{total}, loss {loss:.3f}, '
                f'{elapsed:.0f} s, about {eta:.0f} s left')
        if self.tty:
            self.stream.write('\r' + line.ljust(self.printed))
            self.printed = len(line)
            if done == total:
                self.stream.write('\n')
        else:
            self.stream.write(line + '\n')
        self.stream.flush()


def _quiet_console(cfg: Config) -> Config:
    """Keep the console for errors: the runner's full log (config, warnings, every logged
    iteration) goes to its files."""
    cfg.log_level = 'ERROR'
    return cfg


def _log_to_files(runner: Runner) -> None:
    for handler in runner.logger.handlers:
        if isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.INFO)


def run_training(cfg: Config, title: str, evaluate: bool) -> Dict:
    """Train ``cfg`` in this process (resuming from its work dir) and return its result.

    The result holds ``checkpoint`` (the last one), the time spent, and with ``evaluate`` the
    test metrics of the last epoch. It is written to ``<work_dir>/result.json``; a work dir that
    already has one is not trained again.
    """
    result_file = osp.join(cfg.work_dir, RESULT_FILE)
    if osp.isfile(result_file):
        with open(result_file) as f:
            result = json.load(f)
        print(f'  {title}: done before, using {result_file}', flush=True)
        return result
    cfg = copy.deepcopy(cfg)
    cfg.resume = True  # from the work dir's newest complete checkpoint, if any
    cfg.load_from = None
    resolve_resume(cfg, required=False)
    cfg.visualizer.name = f'{title}-{time.time()}'  # visualisers are per-name singletons
    runner = Runner.from_cfg(_quiet_console(cfg))
    _log_to_files(runner)
    runner.register_hook(ProgressHook(title))
    start = time.time()
    runner.train()
    result = dict(checkpoint=osp.join(cfg.work_dir, f'epoch_{runner.max_epochs}.pth'),
                  train_seconds=round(time.time() - start, 1),
                  log_dir=runner.log_dir)
    if not osp.isfile(result['checkpoint']):
        raise FileNotFoundError(f'{title}: training finished but {result["checkpoint"]} is '
                                'missing; the benchmark needs the checkpoint of the last epoch')
    if evaluate:
        metrics = runner.test()
        result['metrics'] = {k: float(v) for k, v in metrics.items()}
    del runner
    gc.collect()
    os.makedirs(cfg.work_dir, exist_ok=True)
    tmp = result_file + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, result_file)
    return result


def stage_configs(bench: Config, method: dict, seed: int, out_dir: str,
                  pretrain_checkpoint: Optional[str] = None):
    """``(pretrain_cfg or None, finetune_cfg)`` of one method and seed, with their work dirs."""
    root = osp.join(out_dir, f'seed{seed}', slug(method['name']))
    pre_cfg = None
    if method.get('pretrain'):
        options = {**(bench.get('pretrain_options') or {}),
                   **(method.get('pretrain_options') or {}), 'randomness.seed': seed}
        pre_cfg = load_config(method['pretrain'], options, osp.join(root, 'pretrain'))
    options = {**(bench.finetune.get('options') or {}), **(method.get('finetune_options') or {}),
               'randomness.seed': seed}
    if pretrain_checkpoint is not None:
        options['model.backbone.init_cfg.checkpoint'] = pretrain_checkpoint
    fine_cfg = load_config(method.get('finetune_config') or bench.finetune.config, options,
                           osp.join(root, 'finetune'))
    return pre_cfg, fine_cfg


def run_method(bench: Config, method: dict, seed: int, out_dir: str, step: str) -> Dict:
    """Pretrain (when the method has a pretraining) and fine-tune one method with one seed."""
    name = method['name']
    pre_cfg, _ = stage_configs(bench, method, seed, out_dir)
    checkpoint = None
    if pre_cfg is not None:
        pre = run_training(pre_cfg, f'{step} {name} pretraining (seed {seed})', evaluate=False)
        checkpoint = pre['checkpoint']
    _, fine_cfg = stage_configs(bench, method, seed, out_dir, checkpoint)
    fine = run_training(fine_cfg, f'{step} {name} fine-tuning (seed {seed})', evaluate=True)
    return dict(method=name, seed=seed, pretrain_checkpoint=checkpoint,
                finetune_checkpoint=fine['checkpoint'], metrics=fine['metrics'])


def summarize(runs: Sequence[Dict], methods: Sequence[str]) -> List[Dict]:
    """Per method: the seeds and ``{metric: (mean, std, n)}`` over its runs (std with ddof 1,
    0 for one run); per-class NaNs (class absent) are left out of the mean."""
    rows = []
    for name in methods:
        mine = [r for r in runs if r['method'] == name]
        keys = [k for k in mine[0]['metrics']] if mine else []
        stats = {}
        for key in keys:
            values = np.array([r['metrics'][key] for r in mine], dtype=np.float64)
            values = values[~np.isnan(values)]
            if len(values) == 0:
                stats[key] = (math.nan, math.nan, 0)
            else:
                std = float(values.std(ddof=1)) if len(values) > 1 else 0.0
                stats[key] = (float(values.mean()), std, len(values))
        rows.append(dict(method=name, seeds=[r['seed'] for r in mine], stats=stats))
    return rows


def format_table(rows: Sequence[Dict], title: str = '') -> str:
    """Markdown table: method, seeds, mIoU, then the IoU of every class (mean ± std)."""
    if not rows or not rows[0]['stats']:
        return '(no results)'
    classes = [k for k in rows[0]['stats'] if k.startswith('IoU.')]
    header = ['method', 'seeds', 'mIoU'] + [k[len('IoU.'):] for k in classes]

    def cell(stat):
        mean, std, n = stat
        if n == 0:
            return 'n/a'
        return f'{mean:.2f}' if n == 1 else f'{mean:.2f} ± {std:.2f}'

    lines = [f'{title}\n' if title else '', '| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    for row in rows:
        values = [row['method'], str(len(row['seeds'])), cell(row['stats']['mIoU'])]
        values += [cell(row['stats'][k]) for k in classes]
        lines.append('| ' + ' | '.join(values) + ' |')
    return '\n'.join(line for line in lines if line)


def run_benchmark(bench: Config, out_dir: str, methods: List[dict], seeds: Sequence[int],
                  after_seed: Optional[Callable[[int, List[Dict]], None]] = None) -> List[Dict]:
    """Run every method for every seed; write ``<out>/runs.json`` after each run."""
    runs: List[Dict] = []
    total = len(methods) * len(seeds)
    for seed in seeds:
        seed_runs = []
        for method in methods:
            step = f'[{len(runs) + 1}/{total}]'
            run = run_method(bench, method, seed, out_dir, step)
            print(f'  {step} {method["name"]} (seed {seed}): mIoU {run["metrics"]["mIoU"]:.2f}',
                  flush=True)
            runs.append(run)
            seed_runs.append(run)
            with open(osp.join(out_dir, 'runs.json'), 'w') as f:
                json.dump(runs, f, indent=1)
        if after_seed is not None:
            after_seed(seed, seed_runs)
    return runs
