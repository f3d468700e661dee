"""Loading a config for the tools: strict ``--cfg-options`` and fallbacks for machines without CUDA."""
import difflib
import os.path as osp

import torch
from mmengine.logging import print_log

from mmengine.config import Config


def _child(node, key):
    """Return ``node[key]`` for a dict or a list/tuple (integer key), else raise KeyError."""
    if isinstance(node, (list, tuple)):
        if key.lstrip('-').isdigit() and -len(node) <= int(key) < len(node):
            return node[int(key)]
        raise KeyError(f'index {key} is out of range for a list of {len(node)} items')
    if isinstance(node, dict):
        if key in node:
            return node[key]
        close = difflib.get_close_matches(key, [str(k) for k in node], n=3)
        hint = f' Did you mean {", ".join(close)}?' if close else ''
        raise KeyError(f'it has no key "{key}" (keys: {", ".join(map(str, node))}).{hint}')
    raise KeyError(f'it is a {type(node).__name__}, not a dict or list')


def merge_cfg_options(cfg: Config, options: dict, allow_new=('init_cfg', )) -> Config:
    """Merge ``--cfg-options`` into ``cfg`` after checking every dotted key exists.

    Args:
        cfg: the loaded config.
        options: ``{'a.b.c': value}`` as parsed by :class:`mmengine.config.DictAction`.
        allow_new: leaf names that may be added where they are missing (for example
            ``model.backbone.init_cfg`` on a backbone that has none yet).

    Raises:
        KeyError: naming the option and what is wrong with it.
    """
    for dotted in options or {}:
        node = cfg._cfg_dict
        parts = dotted.split('.')
        for depth, part in enumerate(parts):
            new_key_allowed = bool(set(parts[:depth + 1]) & set(allow_new))
            if isinstance(node, dict) and part not in node and new_key_allowed:
                break  # a new key at or below an allowed one, e.g. init_cfg.checkpoint
            try:
                node = _child(node, part)
            except KeyError as err:
                where = '.'.join(parts[:depth]) or 'the config'
                raise KeyError(f'unknown config option "{dotted}": {where}: {err.args[0]}') from None
    if options:
        cfg.merge_from_dict(options)
    return cfg


def sync_bn_to_bn(node):
    """Replace every ``SyncBN`` norm type in a (nested) config by ``BN`` in place; return how
    many. (mmengine's ``revert_sync_batchnorm`` converts built modules; configs are rewritten
    before the Runner builds the model, where a CPU run would fail on SyncBN.)"""
    count = 0
    if isinstance(node, dict):
        if node.get('type') == 'SyncBN':
            node['type'] = 'BN'
            count += 1
        for value in node.values():
            count += sync_bn_to_bn(value)
    elif isinstance(node, (list, tuple)):
        count += sum(sync_bn_to_bn(value) for value in node)
    return count


def load_config(path, cfg_options=None, work_dir=None, launcher='none'):
    """Load ``path`` the way the tools do.

    Merges ``cfg_options`` strictly (:func:`merge_cfg_options`), sets the launcher and the work dir
    (default ``work_dirs/<config name>``), and on a machine without CUDA switches distributed
    runs to the gloo backend, CPU model replicas and BN instead of SyncBN.
    """
    cfg = Config.fromfile(path)
    cfg.launcher = launcher
    merge_cfg_options(cfg, cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
    if not torch.cuda.is_available():
        if launcher != 'none':
            cfg.merge_from_dict({'env_cfg.dist_cfg.backend': 'gloo'})
            # mmengine's default wrapper pins the model to GPU LOCAL_RANK
            wrapper = dict(type='MMDistributedDataParallel', **(cfg.get('model_wrapper_cfg') or {}))
            cfg.model_wrapper_cfg = dict(wrapper, device_ids=None)
        if sync_bn_to_bn(cfg.get('model')):
            print_log('no CUDA device: SyncBN layers of the model fall back to BN', 'current')
    return cfg
