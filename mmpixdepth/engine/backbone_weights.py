"""Backbone weights out of pretraining, segmentation or already extracted checkpoints."""
from collections import OrderedDict
from typing import Dict, Tuple

import torch
from mmengine.runner.checkpoint import _load_checkpoint, load_state_dict
from torch import nn


def backbone_state_dict(checkpoint: dict, source: str = 'checkpoint',
                        prefix: str = 'backbone.') -> 'OrderedDict[str, torch.Tensor]':
    """The backbone tensors of a loaded checkpoint, keys without ``prefix``.

    Accepts a full model checkpoint (``state_dict`` keys ``backbone.*`` next to ``neck.*``,
    ``target_net.*``, ``decode_head.*``, ...: only the online ``backbone.*`` ones are kept) or
    a file that already holds backbone weights only (``meta['backbone_only']`` set by
    ``tools/model_converters/extract_backbone_weights.py``).

    Args:
        checkpoint (dict): what ``torch.load`` returned (with or without a ``state_dict`` key).
        source (str): the file name, for error messages.
        prefix (str): key prefix of the backbone in the model. Defaults to 'backbone.'.

    Raises:
        KeyError: when no key starts with ``prefix`` and the file is not marked backbone-only.
    """
    state = checkpoint.get('state_dict', checkpoint)
    meta = checkpoint.get('meta') or {}
    if meta.get('backbone_only'):
        return OrderedDict(state)
    # not mmengine's _load_checkpoint_with_prefix: it reads the file again and cannot tell a
    # backbone-only file (meta['backbone_only']) from a full checkpoint
    backbone = OrderedDict(
        (key[len(prefix):], value) for key, value in state.items() if key.startswith(prefix))
    if not backbone:
        heads = sorted({key.split('.')[0] for key in state})
        raise KeyError(f'{source} holds no backbone weights: no key starts with {prefix!r} '
                       f'(top-level names: {", ".join(heads[:10]) or "none"}).')
    return backbone


def load_backbone_weights(filename: str, prefix: str = 'backbone.',
                          map_location='cpu') -> Tuple['OrderedDict[str, torch.Tensor]', Dict]:
    """Read ``filename`` and return ``(backbone state dict, meta)``; see
    :func:`backbone_state_dict`."""
    checkpoint = _load_checkpoint(filename, map_location=map_location)
    if not isinstance(checkpoint, dict):
        raise TypeError(f'{filename} is not a checkpoint dict (got {type(checkpoint).__name__})')
    return (backbone_state_dict(checkpoint, filename, prefix), dict(checkpoint.get('meta') or {}))


def _stem_hint(own_keys, checkpoint_keys) -> str:
    if any(k.startswith('stem.') for k in own_keys) != any(
            k.startswith('stem.') for k in checkpoint_keys):
        return (' The checkpoint and the model have different ResNet stems (7x7 `conv1` vs the '
                'deep `stem.*` of ResNetV1c/V1d): use the backbone type the encoder was '
                "pretrained with, e.g. type='ResNet' for mmpixdepth's pretraining configs.")
    return ''


def load_backbone_into(module: nn.Module, filename: str, prefix: str = 'backbone.',
                       map_location='cpu') -> Tuple[int, Dict]:
    """Load the backbone weights of ``filename`` into ``module`` with mmengine's
    ``load_state_dict``, strictly (mmengine's ``Pretrained`` init only logs mismatches); return
    the number of tensors loaded and the checkpoint's meta.

    Raises:
        RuntimeError: a key is missing, unexpected or of another shape; the message names the
            file, the keys (mmengine's listing) and, for ResNet stem variants, the fix.
    """
    state, meta = load_backbone_weights(filename, prefix, map_location)
    try:
        load_state_dict(module, state, strict=True)
    except RuntimeError as err:
        raise RuntimeError(
            f'backbone weights of {filename} do not fit {type(module).__name__} (is it the '
            f'same architecture: depth, stem, widths?): {str(err).strip()}.'
            + _stem_hint(module.state_dict(), state)) from None
    return len(state), meta
