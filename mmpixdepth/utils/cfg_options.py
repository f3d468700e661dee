"""Strict ``--cfg-options``: every dotted key is a key of the config or one its reader takes.

mmengine merges any key, so a typo (``train_cfg.max_epoch``) silently adds a key nobody reads.
A key the config lacks is accepted where the code that reads its dict takes it: the ``__init__``
arguments of the dict's registered ``type`` (followed through ``**kwargs`` down the MRO), the
arguments of ``Runner`` at the top level, and those of what the Runner builds from a section
without ``type`` (loops, dataloaders, ``randomness``, ...). Where nothing tells the valid keys
(a dict without ``type`` elsewhere, ``**kwargs`` that leave the class, ``*_cfg`` dicts that
builders such as ``build_norm_layer`` read keys of), any key is accepted, as in mmengine.
"""
import difflib
import inspect
from importlib import import_module

from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import Registry
from mmengine.runner import (EpochBasedTrainLoop, IterBasedTrainLoop, LogProcessor, Runner,
                             TestLoop, ValLoop, set_random_seed)
from torch.utils.data import DataLoader

_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
# keys read in any dict: by mmengine's config machinery, and ``pretrained``, which OpenMMLab
# models take from the dicts of their parts (mmseg's EncoderDecoder, mmpretrain's Flamingo, ...)
_ALWAYS = {'type', '_scope_', '_delete_', 'pretrained'}
# top-level keys read besides the Runner's arguments: by the Runner from its cfg (wrap_model,
# compile, ...), by Config (custom_imports) and by OpenMMLab tools (runner_type, tta_*)
_TOP_LEVEL = {'model_wrapper_cfg', 'sync_bn', 'find_unused_parameters', 'compile',
              'activation_checkpointing', 'efficient_conv_bn_eval', 'custom_imports',
              'runner_type', 'tta_model', 'tta_pipeline'}


def _arguments(target):
    """Keyword arguments ``target`` (class or function) takes, or None when it takes any."""
    if not inspect.isclass(target):
        params = _parameters(target)
        if params is None or any(p.kind == p.VAR_KEYWORD for p in params):
            return None
        return {p.name for p in params if p.kind in _NAMED}
    names, forwarded = set(), False
    for klass in target.__mro__:  # follow **kwargs to the base classes
        init = klass.__dict__.get('__init__')
        if init is None:
            continue
        if klass is object:  # **kwargs that no base takes are used some other way
            return None if forwarded else names
        params = _parameters(init)
        if params is None:
            return None
        names |= {p.name for p in params if p.kind in _NAMED} - {'self'}
        forwarded = any(p.kind == p.VAR_KEYWORD for p in params)
        if not forwarded:
            return names
    return names


def _parameters(function):
    try:
        return list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature
        return None


def _union(targets):
    """Arguments any of ``targets`` takes, or None when one of them takes any."""
    names = set()
    for target in targets:
        args = _arguments(target)
        if args is None:
            return None
        names |= args
    return names


def _registered(type_, scope):
    """Every object registered as ``type_`` in the registries of ``scope`` and of mmengine."""
    if not isinstance(type_, str):
        return [type_] if callable(type_) else []
    found = []
    for package in dict.fromkeys((scope, 'mmengine')):
        try:
            module = import_module(f'{package}.registry')
        except ImportError:
            continue
        for registry in vars(module).values():
            obj = registry.get(type_) if isinstance(registry, Registry) else None
            if obj is not None and obj not in found:
                found.append(obj)
    return found


def _reads(target, *popped):
    """A section that the Runner builds as ``target(**section)`` after popping ``popped``."""
    return lambda node: (target.__name__, _arguments(target) | set(popped))


def _train_loop(node):
    """Runner.build_train_loop: ``by_epoch`` picks the loop."""
    loops = {True: [EpochBasedTrainLoop], False: [IterBasedTrainLoop]}.get(
        node.get('by_epoch'), [EpochBasedTrainLoop, IterBasedTrainLoop])
    return '/'.join(loop.__name__ for loop in loops), _union(loops) | {'by_epoch'}


_DATALOADER = _reads(DataLoader, 'dataset', 'sampler', 'batch_sampler', 'collate_fn',
                     'worker_init_fn', 'num_batch_per_epoch', 'disable_subprocess_warning')
# Sections the Runner builds without a ``type`` (mmengine's Runner.build_*, scale_lr, setup_env)
_SECTIONS = {
    'train_dataloader': _DATALOADER,
    'val_dataloader': _DATALOADER,
    'test_dataloader': _DATALOADER,
    'train_cfg': _train_loop,
    'val_cfg': _reads(ValLoop),
    'test_cfg': _reads(TestLoop),
    'randomness': _reads(set_random_seed),
    'log_processor': _reads(LogProcessor),
    'optim_wrapper': _reads(OptimWrapper),
    'auto_scale_lr': lambda node: ('Runner.scale_lr', {'enable', 'base_batch_size'}),
    'env_cfg': lambda node: ('Runner.setup_env', {'cudnn_benchmark', 'mp_cfg', 'dist_cfg',
                                                  'resource_limit'}),
}
# keys the Runner pops from a section, typed or not (``.*``: from each of its items or hooks)
_POPPED = {
    'optim_wrapper': {'constructor', 'paramwise_cfg', 'optimizer'},
    'param_scheduler': {'convert_to_iter_based'},
    'param_scheduler.*': {'convert_to_iter_based'},
    'default_hooks.*': {'priority'},
    'custom_hooks.*': {'priority'},
}


def accepted_keys(path, node, scope):
    """``(reader, keys)``: what reads the dict ``node`` at ``path`` (tuple of keys from the
    config root) and the keys it takes; keys is None where any key may be valid."""
    section = path[0] if path else None
    if not path:
        reader, names = 'Runner', _arguments(Runner) | _TOP_LEVEL
    elif str(path[-1]).endswith('_cfg') and not (len(path) == 1 and section in _SECTIONS):
        return 'a builder', None
    elif 'type' in node:
        targets = _registered(node['type'], node.get('_scope_', scope))
        reader, names = node['type'], _union(targets) if targets else None
    elif len(path) == 1 and section in _SECTIONS:
        reader, names = _SECTIONS[section](node)
    else:
        return 'its reader', None
    if path == ('optim_wrapper', ) and node.get('constructor') not in (
            None, 'DefaultOptimWrapperConstructor'):
        return node['constructor'], None  # a constructor of its own may read any key
    if names is not None and len(path) <= 2:
        names |= _POPPED.get(section if len(path) == 1 else f'{section}.*', set())
    return str(reader), None if names is None else names | _ALWAYS


def _child(node, key):
    """``node[key]`` for a dict or a list (integer key); KeyError saying why not."""
    if isinstance(node, (list, tuple)):
        if key.lstrip('-').isdigit() and -len(node) <= int(key) < len(node):
            return node[int(key)]
        raise KeyError(f'index {key} is out of range for a list of {len(node)} items')
    if isinstance(node, dict):
        return node[key]
    raise KeyError(f'it is a {type(node).__name__}, not a dict or list')


def _check(cfg, dotted, options):
    """Raise KeyError unless every part of ``dotted`` exists in ``cfg`` or is a key the dict
    missing it may take (a ``type`` set by ``options`` counts)."""
    scope = cfg.get('default_scope', 'mmengine')
    node, parts = cfg._cfg_dict, dotted.split('.')
    for depth, part in enumerate(parts):
        path = tuple(parts[:depth])
        where = '.'.join(path) or 'the config'
        if isinstance(node, dict) and part not in node:
            retyped = options.get('.'.join(path + ('type', )))
            view = dict(node, type=retyped) if retyped is not None else node
            reader, names = accepted_keys(path, view, scope)
            if names is None:
                return  # any key may be valid here, and below it
            if part not in names:
                close = difflib.get_close_matches(part, sorted(set(map(str, node)) | names), n=3)
                hint = f' Did you mean {", ".join(close)}?' if close else ''
                keys = ', '.join(map(str, node)) or 'none'
                raise KeyError(
                    f'unknown config option "{dotted}": {where}: it has no key "{part}" and '
                    f'{reader} takes no such argument (keys: {keys}).{hint}')
            node = {}  # a new key: mmengine makes it a dict for the keys below it
            continue
        try:
            node = _child(node, part)
        except KeyError as err:
            raise KeyError(f'unknown config option "{dotted}": {where}: {err.args[0]}') from None


def _current(cfg, dotted):
    """The value at ``dotted`` in ``cfg``, or None when the path does not exist."""
    node = cfg._cfg_dict
    for part in dotted.split('.'):
        try:
            node = _child(node, part)
        except (KeyError, TypeError):
            return None
    return node


def _check_type(dotted, old, new):
    """Raise ValueError when ``new`` is text where the config has a number or a bool."""
    if not isinstance(new, str) or old is None:
        return
    if isinstance(old, bool):
        kind = 'True or False'
    elif isinstance(old, (int, float)):
        kind = 'a number'
    else:
        return
    raise ValueError(f'--cfg-options {dotted}={new}: {new!r} is not {kind}, which the config '
                     f'has there ({old!r})')


def merge_cfg_options(cfg: Config, options: dict) -> Config:
    """Merge ``--cfg-options`` (``{'a.b.c': value}`` from :class:`mmengine.config.DictAction`)
    into ``cfg`` after checking every key, as :func:`accepted_keys` says, and that a number or
    bool of the config is not given text.

    Raises:
        KeyError: naming the option, where it fails and the closest valid keys.
        ValueError: naming the option whose value is of the wrong kind.
    """
    for dotted, value in (options or {}).items():
        _check(cfg, dotted, options)
        _check_type(dotted, _current(cfg, dotted), value)
    if options:
        cfg.merge_from_dict(options)
    return cfg
