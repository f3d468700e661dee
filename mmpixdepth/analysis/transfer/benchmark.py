"""The benchmark spec: its keys, their checks, and the configs of each run.

A benchmark is an mmengine config file (see ``benchmarks/``)::

    seeds = [0, 1, 2]
    data_root = 'data/synthetic_rgbd'   # optional: every dataloader of every stage reads it
    pretrain_options = {'train_cfg.max_epochs': 3, ...}   # applied to every pretraining config
    # evaluation, one of: DeepLabV3 runs, or probe heads on cached frozen features
    finetune = dict(config='configs/deeplabv3/deeplabv3_...-frozen_....py', options={...})
    probe = dict(config='configs/deeplabv3/deeplabv3_....py', heads=['linear', 'aspp'], ...)
    methods = [
        dict(name='PixDepth', pretrain='configs/pixdepth/pixdepth_....py', pretrain_options={...}),
        dict(name='random init', finetune_options={'model.backbone.init_cfg': None}),
        dict(name='supervised', finetune_config='configs/deeplabv3/deeplabv3_....py'),
    ]
    learnability = dict(method='supervised', metric='linear mIoU', min=50)  # optional check
    compare = [('PixDepth', 'PixContrast')]  # optional paired differences over the seeds
    # optional similarity-map figures of the first images of a split, read as the probe (else
    # the downstream) config reads it
    similarity = dict(split='val', num_images=3)
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
each dataloader of the pretraining, downstream and probe configs keeps its file name and moves
to that folder (``splits/val.txt`` -> ``splits/fold1/val.txt``), so pretraining sees only the
fold's training samples. ``pretrain_from`` reuses the pretraining of another method of the same
seed and fold. ``test_checkpoint='best'`` tests the checkpoint the downstream config keeps for
the best validation score (``save_best``) instead of the last one. Mean ± std are then over
folds (and seeds).
"""
import os.path as osp
import re
from typing import List, Optional, Sequence

from mmengine.config import Config

from mmpixdepth.utils import load_config

METHOD_KEYS = {'name', 'pretrain', 'pretrain_options', 'pretrain_from', 'finetune_config',
               'finetune_options', 'precision'}
#: benchmark ``precision`` -> the config options that select it (fp32: the configs' own)
PRECISION_OPTIONS = {'fp32': {}, 'bf16': {'optim_wrapper.type': 'AutocastOptimWrapper'}}
FINETUNE_KEYS = {'config', 'options', 'test_checkpoint'}
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
PROBE_KEYS = {'config', 'options', 'heads', 'epochs', 'lr', 'aspp_channels', 'batch_size',
              'label_stride', 'class_weight'}


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


def precision_options(bench: Config, method: dict) -> dict:
    """The config options of the method's precision (its own, else the benchmark's)."""
    return PRECISION_OPTIONS[method.get('precision', bench.get('precision', 'fp32'))]


def fold_dir(bench: Config, fold: Optional[int]) -> Optional[str]:
    """The folder of the split files of ``fold`` (key ``fold_dir``, default
    ``splits/fold{fold}``); None without a fold."""
    return None if fold is None else bench.get('fold_dir', 'splits/fold{fold}').format(fold=fold)


def _load(path: str, options: dict, folder: Optional[str],
          work_dir: Optional[str] = None) -> Config:
    """:func:`load_config`, reading the split files of ``folder`` (None: the config's own)."""
    cfg = load_config(path, options, work_dir)
    return cfg if folder is None else use_fold(cfg, folder, path)


def stage_configs(bench: Config, method: dict, seed: int, out_dir: str,
                  pretrain_checkpoint: Optional[str] = None, fold: Optional[int] = None):
    """``(pretrain_cfg or None, finetune_cfg)`` of one method, seed and fold (None without
    folds), with their work dirs and the fold's split files."""
    root = run_dir(out_dir, seed, fold, method['name'])
    folder = fold_dir(bench, fold)
    pre_cfg = None
    if method.get('pretrain'):
        options = {**(bench.get('pretrain_options') or {}),
                   **(method.get('pretrain_options') or {}), **precision_options(bench, method),
                   'randomness.seed': seed}
        pre_cfg = _load(method['pretrain'], options, folder, osp.join(root, 'pretrain'))
    stage = bench.get('finetune') or bench.probe
    options = {**(stage.get('options') or {}), **(method.get('finetune_options') or {}),
               **precision_options(bench, method), 'randomness.seed': seed}
    if 'finetune' in bench and pretrain_checkpoint is not None:
        options['model.backbone.init_cfg.checkpoint'] = pretrain_checkpoint
    if 'probe' in bench and not method.get('finetune_config'):
        return pre_cfg, None
    fine_cfg = _load(method.get('finetune_config') or stage.config, options, folder,
                     osp.join(root, 'finetune'))
    return pre_cfg, fine_cfg


def probe_config(bench: Config, seed: int, method: Optional[dict] = None,
                 fold: Optional[int] = None) -> Config:
    """The segmentation config of the probe (datasets, preprocessor, encoder, head; its
    ``optim_wrapper`` sets the precision of the feature extraction) for ``method``, reading
    the split files of ``fold`` (None without folds)."""
    options = {**(bench.probe.get('options') or {}),
               **precision_options(bench, method or {}), 'randomness.seed': seed}
    return _load(bench.probe.config, options, fold_dir(bench, fold))
