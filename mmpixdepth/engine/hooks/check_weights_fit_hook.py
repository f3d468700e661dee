"""Refuse a checkpoint that would leave most of the model at its random initial weights."""
from collections import Counter

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpixdepth.registry import PRETRAIN_HOOKS, SEG_HOOKS, register_module
from ..checkpoint import CheckpointError


def _top(keys):
    """{top-level module name: number of tensors} of state dict keys."""
    return Counter(key.split('.')[0] for key in keys)


def _groups(counts):
    """'backbone (122 tensors), neck (8)' from {top-level name: number of tensors}."""
    return ', '.join(f'{name} ({n} tensor{"s" if n != 1 else ""})'
                     for name, n in sorted(counts.items())) or 'nothing'


def weights_fit(model_state, file_state):
    """How much of a model a state dict fills.

    Args:
        model_state (dict): the model's state dict (name -> tensor).
        file_state (dict): the checkpoint's weights (name -> tensor), keys as the model's.

    Returns:
        tuple: (share of the model's tensor elements that the file gives with the right shape,
        in [0, 1]; the names of the model's tensors it does not give).
    """
    total = sum(value.numel() for value in model_state.values()) or 1
    missing = [key for key, value in model_state.items()
               if key not in file_state or tuple(getattr(file_state[key], 'shape', ())) !=
               tuple(value.shape)]
    filled = total - sum(model_state[key].numel() for key in missing)
    return filled / total, missing


def check_weights_fit(model_state, file_state, filename, min_share):
    """Raise :class:`CheckpointError` when ``file_state`` fills less than ``min_share`` of the
    model (:func:`weights_fit`); the message says what the file holds and what is missing."""
    share, missing = weights_fit(model_state, file_state)
    if share >= min_share:
        return share
    needed = 'all' if min_share >= 1 else f'at least {min_share:.0%}'
    hint = ''
    if {'target_net', 'neck'} & set(_top(file_state)) and 'decode_head' in _top(model_state):
        hint = (' It looks like a pretraining checkpoint: fine-tune from it with '
                f"model.backbone.init_cfg=dict(type='Pretrained', checkpoint='{filename}', "
                "prefix='backbone.'), and test a fine-tuned checkpoint.")
    raise CheckpointError(
        f'checkpoint {filename} does not fit the model of this config: it gives {share:.0%} of '
        f'its weights, {needed} are needed. The file holds {_groups(_top(file_state))}; the model '
        f'has {_groups(_top(model_state))}, of which the file lacks or has other shapes for '
        f'{_groups(_top(missing))}.{hint} To load it anyway, pass --allow-partial (the tools) or '
        'set the min_share of CheckWeightsFitHook to 0.')


@register_module(PRETRAIN_HOOKS, SEG_HOOKS)
class CheckWeightsFitHook(Hook):
    """Check each loaded checkpoint (``load_from``, resume) against the model before it is
    loaded: see :func:`check_weights_fit`.

    Args:
        min_share (float): the smallest share of the model's weight elements the file must give
            (keys and shapes), in [0, 1]. Defaults to 0.5; ``tools/test.py`` sets 1 and
            ``--allow-partial`` 0. A resumed run always needs all of them.
    """

    priority = 'VERY_HIGH'

    def __init__(self, min_share: float = 0.5) -> None:
        if not 0 <= min_share <= 1:
            raise ValueError(f'CheckWeightsFitHook: min_share must be in [0, 1], got {min_share}')
        self.min_share = min_share

    def after_load_checkpoint(self, runner, checkpoint) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        state = checkpoint.get('state_dict', checkpoint)
        state = {key[len('module.'):] if key.startswith('module.') else key: value
                 for key, value in state.items()}
        resuming = bool(runner.cfg.get('resume')) and self.min_share > 0
        check_weights_fit(model.state_dict(), state, runner.cfg.get('load_from') or 'loaded',
                          1.0 if resuming else self.min_share)


def require_weights_fit(cfg, min_share):
    """Put :class:`CheckWeightsFitHook` with ``min_share`` into ``cfg.custom_hooks`` (replacing
    the config's own)."""
    hooks = [hook for hook in cfg.get('custom_hooks') or []
             if hook.get('type') not in ('CheckWeightsFitHook', CheckWeightsFitHook)]
    cfg.custom_hooks = hooks + [dict(type='CheckWeightsFitHook', min_share=min_share)]
    return cfg
