"""Loading a config for the tools: strict ``--cfg-options`` and fallbacks for machines without CUDA."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.logging import print_log

from .cfg_options import merge_cfg_options


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
