"""Running a benchmark: every training and probe of it, each cached in its own work dir.

For each seed and method: pretrain (if the method has a pretraining config) with
``randomness.seed = seed``. With ``finetune``, fine-tune the downstream config with the
pretraining's last checkpoint as ``model.backbone.init_cfg.checkpoint`` and evaluate it on the
test split (last or best checkpoint, ``test_checkpoint``). With ``probe``, train the probe heads
of :mod:`mmpixdepth.analysis.frozen_probe` on the frozen encoder (pretrained, randomly
initialised for a method without pretraining, or trained end to end on the labels by the
method's ``finetune_config``, whose own test metrics are kept as ``end-to-end mIoU``).

Every run has its own work dir ``<out>/seed<seed>[/fold<f>]/<method>/{pretrain,finetune,probe}``;
a finished run leaves ``result.json`` there and is skipped next time, a killed one resumes from
its last checkpoint. Each work dir also keeps the fingerprint of the configuration it ran
(``config_fingerprint.json``): a work dir of another configuration (an edited benchmark or
config, other options) is an error, never reused.
"""
import copy
import gc
import hashlib
import json
import logging
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Optional, Sequence

from mmengine.config import Config
from mmengine.runner import Runner

from mmpixdepth.engine import resolve_resume, summarise_optimizer_log
from mmpixdepth.engine.hooks import ProgressHook
from mmpixdepth.models.encoder import RANDOM, load_encoder
from ..frozen_probe import probe_encoder
from .benchmark import probe_config, run_dir, stage_configs

RESULT_FILE = 'result.json'
FINGERPRINT_FILE = 'config_fingerprint.json'
#: part of every probe's fingerprint; raised when the probe's training or metrics change, so
#: that probe results of an older probe are computed again
PROBE_VERSION = 2


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
    summarise_optimizer_log(runner)
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


def run_probe(bench: Config, method: dict, checkpoint: str, seed: int, work_dir: str,
              title: str, fold: Optional[int] = None) -> Dict:
    """Probe the encoder of ``checkpoint`` (or :data:`RANDOM`) on the splits of ``fold``
    (None without folds); result cached in work_dir."""
    result_file = osp.join(work_dir, RESULT_FILE)
    cfg = probe_config(bench, seed, method, fold)
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


def _where(seed: int, fold: Optional[int]) -> str:
    return f'seed {seed}' + ('' if fold is None else f', fold {fold}')


def run_method(bench: Config, method: dict, seed: int, out_dir: str, step: str,
               fold: Optional[int] = None) -> Dict:
    """Pretrain (when the method has a pretraining, or reuse that of ``pretrain_from``) and
    evaluate one method with one seed (and fold)."""
    name = method['name']
    where = _where(seed, fold)
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
                      osp.join(run_dir(out_dir, seed, fold, name), 'probe'),
                      f'{step} {name} probes ({where})', fold)
    run['seconds']['probe'] = probe['seconds']
    metrics = dict(probe['metrics'])
    if fine:
        metrics['end-to-end mIoU'] = fine['metrics']['mIoU']
    run.update(encoder_checkpoint=encoder, metrics=metrics)
    return run


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
            print(f'  {step} {method["name"]} ({_where(seed, fold)}): '
                  + ', '.join(f'{k} {v:.2f}' for k, v in main.items()), flush=True)
            runs.append(run)
            seed_runs.append(run)
            _write_json(osp.join(out_dir, 'runs.json'), runs)
        if after_seed is not None:
            after_seed(seed, seed_runs)
    return runs
