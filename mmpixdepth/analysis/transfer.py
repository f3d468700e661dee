"""Transfer benchmark: pretrain encoders, evaluate each downstream, tabulate mean ± std.

A benchmark is an mmengine config file (see ``benchmarks/``)::

    seeds = [0, 1, 2]
    data_root = 'data/synthetic_rgbd'   # optional: every dataloader of every stage reads it
    pretrain_options = {'train_cfg.max_epochs': 3, ...}   # applied to every pretraining config
    # evaluation, one of:
    finetune = dict(config='configs/deeplabv3/deeplabv3_...-frozen_....py', options={...})  # DeepLabV3
    probe = dict(config='configs/deeplabv3/deeplabv3_....py', heads=['linear', 'aspp'], ...)  # cached
    methods = [
        dict(name='PixDepth', pretrain='configs/pixdepth/pixdepth_....py', pretrain_options={...}),
        dict(name='random init', finetune_options={'model.backbone.init_cfg': None}),
        dict(name='supervised', finetune_config='configs/deeplabv3/deeplabv3_....py'),
    ]
    learnability = dict(method='supervised', metric='linear mIoU', min=50)  # optional check
    compare = [('PixDepth', 'PixContrast')]  # optional paired differences over the seeds
    similarity = dict(split='val', num_images=3)   # optional similarity-map figures
    precision = 'bf16'  # optional, default 'fp32': every training and feature extraction
                        # under bfloat16 autocast (AutocastOptimWrapper); a method's own
                        # ``precision`` key overrides it for that method

K-fold protocol (classification, e.g. ``benchmarks/depthcontrast_synthetic3dpm_kfold.py``)::

    folds = [0, 1, 2]                  # run these folds of the data's k folds
    fold_dir = 'splits/fold{fold}'     # default; each holds train.txt, val.txt, test.txt
    metrics = ['single-label/f1-score_weighted', 'accuracy/top1']  # the table's columns
    finetune = dict(config=..., options={...}, test_checkpoint='best')
    methods = [dict(name='Depth Contrast', pretrain=...),
               dict(name='Depth Contrast linear', pretrain_from='Depth Contrast',
                    finetune_config=...)]

With ``folds`` every run of a fold reads its split files from ``fold_dir``: the ``ann_file`` of
each dataloader of the pretraining and downstream configs keeps its file name and moves to that
folder (``splits/val.txt`` -> ``splits/fold1/val.txt``), so pretraining sees only the fold's
training samples. ``pretrain_from`` reuses the pretraining of another method of the same seed and
fold. ``test_checkpoint='best'`` tests the checkpoint the downstream config keeps for the best
validation score (``save_best``) instead of the last one. Mean ± std are then over folds (and
seeds).

For each seed and method: pretrain (if the method has a pretraining config) with
``randomness.seed = seed``. With ``finetune``, fine-tune the downstream config with the
pretraining's last checkpoint as ``model.backbone.init_cfg.checkpoint`` and evaluate it on the
test split (last or best checkpoint, ``test_checkpoint``). With ``probe``, train the probe heads
of :mod:`frozen_probe` on the frozen encoder
(pretrained, randomly initialised for a method without pretraining, or trained end to end on
the labels by the method's ``finetune_config``, whose own test metrics are kept as
``end-to-end mIoU``). Every run has its own work dir ``<out>/seed<seed>[/fold<f>]/<method>/
{pretrain,finetune,probe}``; a finished run leaves ``result.json`` there and is skipped next time, a
killed one resumes from its last checkpoint. Each work dir also keeps the fingerprint of the
configuration it ran (``config_fingerprint.json``): a work dir of another configuration (an edited
benchmark or config, other options) is an error, never reused.
"""
import copy
import gc
import hashlib
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
from mmpixdepth.visualization.similarity import RANDOM, load_encoder

RESULT_FILE = 'result.json'
FINGERPRINT_FILE = 'config_fingerprint.json'
METHOD_KEYS = {'name', 'pretrain', 'pretrain_options', 'pretrain_from', 'finetune_config',
               'finetune_options', 'precision'}
#: benchmark ``precision`` -> the config options that select it (fp32: the configs' own)
PRECISION_OPTIONS = {'fp32': {}, 'bf16': {'optim_wrapper.type': 'AutocastOptimWrapper'}}
FINETUNE_KEYS = {'config', 'options', 'test_checkpoint'}
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
PROBE_KEYS = {'config', 'options', 'heads', 'epochs', 'lr', 'aspp_channels', 'batch_size',
              'label_stride', 'class_weight'}
#: part of every probe's fingerprint; raised when the probe's training or metrics change, so
#: that probe results of an older probe are computed again
PROBE_VERSION = 2


def slug(name: str) -> str:
    """Folder name of a method: lower case, runs of other characters replaced by '-'."""
    return re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')


def load_benchmark(path: str, data_root: Optional[str] = None,
                   precision: Optional[str] = None) -> Config:
    """Load and check a benchmark config; errors name the file and the key.

    ``precision`` replaces the benchmark's ``precision`` (methods keep their own).

    ``data_root`` (else the benchmark's own ``data_root`` key, if any) becomes the ``data_root``
    of the training dataloader of every pretraining and of every dataloader of the downstream
    configs: it is added to ``pretrain_options`` and to the options of ``finetune`` or ``probe``,
    over any value they give.
    """
    bench = Config.fromfile(path)
    if data_root is not None:
        bench.data_root = data_root
    if precision is not None:
        bench.precision = precision
    for key in ('seeds', 'methods'):
        if key not in bench:
            raise KeyError(f'benchmark {path}: missing key "{key}"')
    if ('finetune' in bench) == ('probe' in bench):
        raise KeyError(f'benchmark {path}: give exactly one of "finetune" (DeepLabV3 runs) and '
                       '"probe" (heads on cached frozen features)')
    stage = bench.get('finetune') or bench.get('probe')
    if 'config' not in stage:
        raise KeyError(f'benchmark {path}: {"finetune" if "finetune" in bench else "probe"} '
                       'has no "config"')
    if 'finetune' in bench and set(bench.finetune) - FINETUNE_KEYS:
        raise KeyError(f'benchmark {path}: unknown finetune key(s) '
                       f'{sorted(set(bench.finetune) - FINETUNE_KEYS)}; known: '
                       f'{sorted(FINETUNE_KEYS)}')
    if 'finetune' in bench and bench.finetune.get('test_checkpoint', 'last') not in ('last',
                                                                                     'best'):
        raise ValueError(f'benchmark {path}: finetune.test_checkpoint must be "last" or "best", '
                         f'got {bench.finetune.test_checkpoint!r}')
    if 'folds' in bench and (not bench.folds or not all(
            isinstance(f, int) and f >= 0 for f in bench.folds)):
        raise ValueError(f'benchmark {path}: folds must be a non-empty list of fold indices, '
                         f'got {bench.folds!r}')
    if 'probe' in bench and set(bench.probe) - PROBE_KEYS:
        raise KeyError(f'benchmark {path}: unknown probe key(s) '
                       f'{sorted(set(bench.probe) - PROBE_KEYS)}; known: {sorted(PROBE_KEYS)}')
    for where, precision in [('precision', bench.get('precision', 'fp32'))] + [
            (f'methods[{i}].precision', m['precision'])
            for i, m in enumerate(bench.methods) if 'precision' in m]:
        if precision not in PRECISION_OPTIONS:
            raise ValueError(f'benchmark {path}: {where} must be one of '
                             f'{sorted(PRECISION_OPTIONS)}, got {precision!r}')
    names = []
    for i, method in enumerate(bench.methods):
        unknown = set(method) - METHOD_KEYS
        if 'name' not in method or unknown:
            raise KeyError(f'benchmark {path}: methods[{i}] needs a "name" and only the keys '
                           f'{sorted(METHOD_KEYS)}; got {sorted(method)}')
        names.append(method['name'])
    if len(set(map(slug, names))) != len(names):
        raise ValueError(f'benchmark {path}: method names must differ: {names}')
    pretrains = {m['name'] for m in bench.methods if m.get('pretrain')}
    for method in bench.methods:
        source = method.get('pretrain_from')
        if source is not None and (method.get('pretrain') or source not in pretrains):
            raise ValueError(f'benchmark {path}: method {method["name"]!r}: pretrain_from must '
                             f'name a method with a pretraining ({sorted(pretrains)}) and '
                             f'replaces "pretrain"; got {source!r}')
    for pair in bench.get('compare') or []:
        if len(pair) != 2 or not set(pair) <= set(names):
            raise ValueError(f'benchmark {path}: compare entries are pairs of method names '
                             f'from {names}; got {pair}')
    check = bench.get('learnability')
    if check is not None and (set(check) != {'method', 'metric', 'min'}
                              or check['method'] not in names):
        raise ValueError(f'benchmark {path}: learnability needs exactly method (one of '
                         f'{names}), metric and min; got {dict(check)}')
    if bench.get('data_root') is not None:
        bench.pretrain_options = {**(bench.get('pretrain_options') or {}),
                                  'train_dataloader.dataset.data_root': bench.data_root}
        stage.options = {**(stage.get('options') or {}),
                         **{f'{loader}.dataset.data_root': bench.data_root for loader in LOADERS}}
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


def run_dir(out_dir: str, seed: int, fold: Optional[int], name: str) -> str:
    """``<out>/seed<seed>[/fold<f>]/<method slug>``: the work dirs of one run."""
    parts = [out_dir, f'seed{seed}'] + ([f'fold{fold}'] if fold is not None else [])
    return osp.join(*parts, slug(name))


def use_fold(cfg: Config, fold_dir: str, source: str) -> Config:
    """Move the ``ann_file`` of every dataloader of ``cfg`` into ``fold_dir`` (same file name)."""
    for loader in LOADERS:
        if cfg.get(loader) is None:
            continue
        dataset = cfg[loader].dataset
        if not dataset.get('ann_file'):
            raise KeyError(f'{source}: {loader}.dataset has no ann_file to take from the fold '
                           f'folder {fold_dir}')
        dataset.ann_file = osp.join(fold_dir, osp.basename(dataset.ann_file))
    return cfg


class ProgressHook(Hook):
    """Progress of a training run on the console (iterations done, loss, elapsed and remaining
    time): one line rewritten in place on a terminal, else a line per tenth of the run.

    The runner's LoggerHook writes its full log to the run's files only (the console would get
    the config and environment of every run); mmengine's ``ProgressBar`` shows no loss and
    rewrites its line at every update even when the output is a file.
    """

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


#: Hooks that only check a run, never change it, added to the runtime bases after runs were
#: first fingerprinted: left out of the fingerprint, so that those runs stay valid.
CHECK_ONLY_HOOKS = ('CheckWeightsFitHook', )


def fingerprint(cfg: Config, **settings) -> str:
    """sha256 (hex) of a run's configuration: ``cfg`` without its ``work_dir`` (a folder may be
    named differently) and the :data:`CHECK_ONLY_HOOKS`, and ``settings``, as sorted JSON."""
    data = {k: v for k, v in cfg.to_dict().items() if k != 'work_dir'}
    if 'custom_hooks' in data:
        data['custom_hooks'] = [hook for hook in data['custom_hooks']
                                if hook.get('type') not in CHECK_ONLY_HOOKS]
    text = json.dumps(dict(config=data, **settings), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def claim_work_dir(work_dir: str, digest: str) -> None:
    """Make sure ``work_dir`` is empty or holds a run of the configuration whose
    :func:`fingerprint` is ``digest`` (recorded there the first time), so that a finished or
    killed run of another configuration is never reused or resumed."""
    path = osp.join(work_dir, FINGERPRINT_FILE)
    if osp.isfile(path):
        with open(path) as f:
            recorded = json.load(f).get('sha256')
        if recorded != digest:
            raise ValueError(f'{work_dir} holds a run of another configuration (the benchmark, a '
                             'config or an option changed since it ran): delete that folder or '
                             'give another --out-dir')
        return
    if osp.isdir(work_dir) and os.listdir(work_dir):
        raise ValueError(f'{work_dir} holds files but no {FINGERPRINT_FILE}, so which '
                         'configuration made them is unknown (an older mmpixdepth or another '
                         'tool): delete that folder or give another --out-dir')
    _write_json(path, dict(sha256=digest))


def run_training(cfg: Config, title: str, evaluate: bool, test_checkpoint: str = 'last') -> Dict:
    """Train ``cfg`` in this process (resuming from its work dir) and return its result.

    The result holds ``checkpoint`` (the last one), the time spent, and with ``evaluate`` the
    test metrics of the last epoch (``test_checkpoint='best'``: of the checkpoint kept for the
    best validation score, named in ``tested_checkpoint``). It is written to
    ``<work_dir>/result.json``; a work dir that already has one (of the same configuration) is
    not trained again.
    """
    result_file = osp.join(cfg.work_dir, RESULT_FILE)
    claim_work_dir(cfg.work_dir, fingerprint(cfg, test_checkpoint=test_checkpoint))
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
    if evaluate and test_checkpoint == 'best':
        best = runner.message_hub.get_info('best_ckpt')
        if not best or not osp.isfile(best):
            raise FileNotFoundError(f'{title}: no best checkpoint was kept (got {best!r}); set '
                                    'default_hooks.checkpoint.save_best in the config')
        runner.load_checkpoint(best)
        result['tested_checkpoint'] = best
    if evaluate:
        metrics = runner.test()
        result['metrics'] = {k: float(v) for k, v in metrics.items()}
    del runner
    gc.collect()
    _write_json(result_file, result)
    return result


def precision_options(bench: Config, method: dict) -> dict:
    """The config options of the method's precision (its own, else the benchmark's)."""
    return PRECISION_OPTIONS[method.get('precision', bench.get('precision', 'fp32'))]


def stage_configs(bench: Config, method: dict, seed: int, out_dir: str,
                  pretrain_checkpoint: Optional[str] = None, fold: Optional[int] = None):
    """``(pretrain_cfg or None, finetune_cfg)`` of one method, seed and fold (None without
    folds), with their work dirs and the fold's split files."""
    root = run_dir(out_dir, seed, fold, method['name'])
    fold_dir = None if fold is None else bench.get('fold_dir', 'splits/fold{fold}').format(
        fold=fold)
    pre_cfg = None
    if method.get('pretrain'):
        options = {**(bench.get('pretrain_options') or {}),
                   **(method.get('pretrain_options') or {}), **precision_options(bench, method),
                   'randomness.seed': seed}
        pre_cfg = load_config(method['pretrain'], options, osp.join(root, 'pretrain'))
        if fold_dir is not None:
            use_fold(pre_cfg, fold_dir, method['pretrain'])
    stage = bench.get('finetune') or bench.probe
    options = {**(stage.get('options') or {}), **(method.get('finetune_options') or {}),
               **precision_options(bench, method), 'randomness.seed': seed}
    if 'finetune' in bench and pretrain_checkpoint is not None:
        options['model.backbone.init_cfg.checkpoint'] = pretrain_checkpoint
    if 'probe' in bench and not method.get('finetune_config'):
        return pre_cfg, None
    fine_cfg = load_config(method.get('finetune_config') or stage.config, options,
                           osp.join(root, 'finetune'))
    if fold_dir is not None:
        use_fold(fine_cfg, fold_dir, method.get('finetune_config') or stage.config)
    return pre_cfg, fine_cfg


def probe_config(bench: Config, seed: int, method: Optional[dict] = None) -> Config:
    """The segmentation config of the probe (datasets, preprocessor, encoder, head; its
    ``optim_wrapper`` sets the precision of the feature extraction) for ``method``."""
    options = {**(bench.probe.get('options') or {}),
               **precision_options(bench, method or {}), 'randomness.seed': seed}
    return load_config(bench.probe.config, options)


def run_probe(bench: Config, method: dict, checkpoint: str, seed: int, work_dir: str,
              title: str) -> Dict:
    """Probe the encoder of ``checkpoint`` (or :data:`RANDOM`); result cached in work_dir."""
    from .frozen_probe import probe_encoder  # mmseg is imported only for probe benchmarks
    result_file = osp.join(work_dir, RESULT_FILE)
    cfg = probe_config(bench, seed, method)
    settings = {k: v for k, v in bench.probe.items() if k not in ('config', 'options')}
    # the encoder is named relative to the probe's folder: the same run under a renamed folder
    source = checkpoint if checkpoint == RANDOM else osp.relpath(checkpoint, work_dir)
    digest = fingerprint(cfg, encoder=source, probe_version=PROBE_VERSION, **settings)
    try:
        claim_work_dir(work_dir, digest)
    except ValueError:
        # a probe trains nothing worth keeping: one of another configuration is redone
        if set(os.listdir(work_dir)) - {RESULT_FILE, FINGERPRINT_FILE}:
            raise
        for name in (RESULT_FILE, FINGERPRINT_FILE):
            if osp.isfile(osp.join(work_dir, name)):
                os.remove(osp.join(work_dir, name))
        print(f'  {title}: {work_dir} holds a probe of other settings or an older probe; '
              'probing again', flush=True)
        claim_work_dir(work_dir, digest)
    if osp.isfile(result_file):
        with open(result_file) as f:
            result = json.load(f)
        print(f'  {title}: done before, using {result_file}', flush=True)
        return result
    start = time.time()
    encoder = load_encoder(cfg, checkpoint, seed)
    metrics = probe_encoder(encoder, cfg, seed=seed, **settings)
    result = dict(metrics=metrics, seconds=round(time.time() - start, 1), checkpoint=checkpoint)
    main = [k for k in metrics if k.endswith((' mIoU', ' bIoU'))]
    print(f'  {title}: ' + ', '.join(f'{k} {metrics[k]:.2f}' for k in main)
          + f' ({result["seconds"]:.0f} s)', flush=True)
    _write_json(result_file, result)
    return result


def _write_json(path: str, data) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def run_method(bench: Config, method: dict, seed: int, out_dir: str, step: str,
               fold: Optional[int] = None) -> Dict:
    """Pretrain (when the method has a pretraining, or reuse that of ``pretrain_from``) and
    evaluate one method with one seed (and fold)."""
    name = method['name']
    where = f'seed {seed}' + ('' if fold is None else f', fold {fold}')
    source = method
    if method.get('pretrain_from'):
        source = next(m for m in bench.methods if m['name'] == method['pretrain_from'])
    pre_cfg, _ = stage_configs(bench, source, seed, out_dir, fold=fold)
    checkpoint = None
    if pre_cfg is not None:
        pre = run_training(pre_cfg, f'{step} {source["name"]} pretraining ({where})',
                           evaluate=False)
        checkpoint = pre['checkpoint']
    _, fine_cfg = stage_configs(bench, method, seed, out_dir, checkpoint, fold)
    fine = None
    if fine_cfg is not None:
        title = 'training' if 'probe' in bench else 'fine-tuning'
        fine = run_training(fine_cfg, f'{step} {name} {title} ({where})', evaluate=True,
                            test_checkpoint=(bench.get('finetune') or {}).get(
                                'test_checkpoint', 'last'))
    run = dict(method=name, seed=seed, pretrain_checkpoint=checkpoint,
               finetune_checkpoint=fine and fine['checkpoint'], seconds={})
    if pre_cfg is not None and source is method:  # a shared pretraining counts once
        run['seconds']['pretrain'] = pre['train_seconds']
    if fine is not None:
        run['seconds']['finetune'] = fine['train_seconds']
    if fold is not None:
        run['fold'] = fold
    if 'finetune' in bench:
        run.update(encoder_checkpoint=fine['checkpoint'], metrics=fine['metrics'])
        return run
    encoder = fine['checkpoint'] if fine else checkpoint or RANDOM
    probe = run_probe(bench, method, encoder, seed,
                      osp.join(out_dir, f'seed{seed}', slug(name), 'probe'),
                      f'{step} {name} probes (seed {seed})')
    run['seconds']['probe'] = probe['seconds']
    metrics = dict(probe['metrics'])
    if fine:
        metrics['end-to-end mIoU'] = fine['metrics']['mIoU']
    run.update(encoder_checkpoint=encoder, metrics=metrics)
    return run


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


def _cell(stat) -> str:
    mean, std, n = stat
    if n == 0:
        return 'n/a'
    return f'{mean:.2f}' if n == 1 else f'{mean:.2f} ± {std:.2f}'


def format_table(rows: Sequence[Dict], title: str = '', prefix: str = '') -> str:
    """Markdown table: method, seeds, ``<prefix>mIoU``, then ``<prefix>IoU.<class>`` of every
    class (mean ± std)."""
    if not rows or not any(row['stats'] for row in rows):
        return '(no results)'
    keys = next(row['stats'] for row in rows if row['stats'])
    classes = [k for k in keys if k.startswith(prefix + 'IoU.')]
    header = ['method', 'seeds', 'mIoU'] + [k[len(prefix + 'IoU.'):] for k in classes]
    lines = [f'{title}\n' if title else '', '| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    missing = (math.nan, math.nan, 0)
    for row in rows:
        values = [row['method'], str(len(row['seeds'])),
                  _cell(row['stats'].get(prefix + 'mIoU', missing))]
        values += [_cell(row['stats'].get(k, missing)) for k in classes]
        lines.append('| ' + ' | '.join(values) + ' |')
    return '\n'.join(line for line in lines if line)


def format_summary(rows: Sequence[Dict], metrics: Sequence[str], title: str = '',
                   count: str = 'seeds') -> str:
    """Markdown table: method, number of runs (column ``count``), then each of ``metrics``
    (mean ± std; n/a if absent)."""
    lines = [f'{title}\n' if title else '', '| ' + ' | '.join(['method', count, *metrics])
             + ' |', '|' + '---|' * (len(metrics) + 2)]
    for row in rows:
        values = [row['method'], str(len(row['seeds']))]
        values += [_cell(row['stats'].get(m, (math.nan, math.nan, 0))) for m in metrics]
        lines.append('| ' + ' | '.join(values) + ' |')
    return '\n'.join(line for line in lines if line)


def paired_difference(runs: Sequence[Dict], a: str, b: str, metric: str,
                      confidence: float = 0.95) -> Dict:
    """``a - b`` of ``metric`` over the seeds (and folds) both methods ran: mean, sample std, n,
    and the two-sided ``confidence`` interval of the mean (Student's t; None for fewer than 2
    runs)."""
    from scipy.stats import t as student_t
    by_seed = {name: {(r['seed'], r.get('fold')): r['metrics'].get(metric, math.nan)
                      for r in runs if r['method'] == name} for name in (a, b)}
    seeds = sorted(set(by_seed[a]) & set(by_seed[b]))
    diffs = np.array([by_seed[a][s] - by_seed[b][s] for s in seeds], dtype=np.float64)
    diffs = diffs[~np.isnan(diffs)]
    unit = 'folds' if any(fold is not None for _, fold in seeds) else 'seeds'
    result = dict(a=a, b=b, metric=metric, n=len(diffs), unit=unit, diffs=diffs.tolist(),
                  mean=float(diffs.mean()) if len(diffs) else math.nan, std=math.nan, ci=None)
    if len(diffs) > 1:
        result['std'] = float(diffs.std(ddof=1))
        half = student_t.ppf(0.5 + confidence / 2, len(diffs) - 1) * result['std'] / math.sqrt(
            len(diffs))
        result['ci'] = (result['mean'] - half, result['mean'] + half)
    return result


def format_difference(diff: Dict) -> str:
    """One line: ``a - b (metric): mean [lo, hi] 95 % CI over n seeds``."""
    text = f'{diff["a"]} - {diff["b"]} ({diff["metric"]}): {diff["mean"]:+.2f}'
    if diff['ci'] is None:
        return text + f' ({diff["n"]} {diff["unit"]}: no confidence interval)'
    lo, hi = diff['ci']
    return text + f', 95 % CI [{lo:+.2f}, {hi:+.2f}] over {diff["n"]} {diff["unit"]} (paired)'


def format_times(runs: Sequence[Dict], methods: Sequence[str]) -> str:
    """Markdown table: minutes per stage of each method (mean over its runs; as recorded when
    the stage ran, also for runs reused since) and the total of all runs."""
    stages = ('pretrain', 'finetune', 'probe')
    lines = ['| method | runs | ' + ' | '.join(f'{s} (min)' for s in stages) + ' |',
             '|' + '---|' * (len(stages) + 2)]
    for name in methods:
        mine = [r.get('seconds', {}) for r in runs if r['method'] == name]
        cells = [f'{np.mean([t[s] for t in mine if s in t]) / 60:.1f}'
                 if any(s in t for t in mine) else '-' for s in stages]
        lines.append(f'| {name} | {len(mine)} | ' + ' | '.join(cells) + ' |')
    total = sum(sum(r.get('seconds', {}).values()) for r in runs) / 60
    return '\n'.join(lines) + f'\n\nAll stages of all runs: {total:.1f} min'


def learnability_verdict(rows: Sequence[Dict], check: Dict) -> str:
    """Whether the reference method reached ``check['min']`` on ``check['metric']``."""
    row = next((r for r in rows if r['method'] == check['method']), None)
    mean = row['stats'].get(check['metric'], (math.nan, 0, 0))[0] if row else math.nan
    if not mean >= check['min']:
        return (f'NOT LEARNED: the {check["method"]} reference reaches {mean:.2f} '
                f'{check["metric"]} (< {check["min"]}), so the task is not learned at this '
                'budget and the comparison above says little')
    return (f'learnability check passed: the {check["method"]} reference reaches {mean:.2f} '
            f'{check["metric"]} (>= {check["min"]})')


def run_benchmark(bench: Config, out_dir: str, methods: List[dict], seeds: Sequence[int],
                  after_seed: Optional[Callable[[int, List[Dict]], None]] = None,
                  folds: Optional[Sequence[int]] = None) -> List[Dict]:
    """Run every method for every seed (and fold); write ``<out>/runs.json`` after each run."""
    runs: List[Dict] = []
    folds = list(folds) if folds else [None]
    total = len(methods) * len(seeds) * len(folds)
    shown = bench.get('metrics')
    for seed in seeds:
        seed_runs = []
        for fold, method in [(f, m) for f in folds for m in methods]:
            step = f'[{len(runs) + 1}/{total}]'
            run = run_method(bench, method, seed, out_dir, step, fold)
            main = {k: v for k, v in run['metrics'].items()
                    if (k in shown if shown else k.endswith(('mIoU', ' bIoU')))}
            where = f'seed {seed}' + ('' if fold is None else f', fold {fold}')
            print(f'  {step} {method["name"]} ({where}): '
                  + ', '.join(f'{k} {v:.2f}' for k, v in main.items()), flush=True)
            runs.append(run)
            seed_runs.append(run)
            _write_json(osp.join(out_dir, 'runs.json'), runs)
        if after_seed is not None:
            after_seed(seed, seed_runs)
    return runs
