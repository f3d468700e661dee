"""Load pretrained encoder weights into a backbone, failing on any key mismatch."""
from mmengine.logging import print_log
from mmengine.model.weight_init import update_init_info

from mmpixdepth.engine.backbone_weights import load_backbone_weights
from mmpixdepth.registry import PRETRAIN_WEIGHT_INITIALIZERS, SEG_WEIGHT_INITIALIZERS, \
    register_module


def _stem_hint(missing, unexpected):
    stems = {key.split('.')[0] for key in list(missing) + list(unexpected)}
    if 'stem' in stems and 'conv1' in stems:
        return (' The checkpoint and the model have different ResNet stems (7x7 `conv1` vs the '
                'deep `stem.*` of ResNetV1c/V1d): use the backbone type the encoder was '
                "pretrained with, e.g. type='ResNet' for mmpixdepth's pretraining configs.")
    return ''


@register_module(PRETRAIN_WEIGHT_INITIALIZERS, SEG_WEIGHT_INITIALIZERS)
class PretrainedBackbone:
    """``init_cfg`` loading a pretrained encoder strictly.

    mmengine's ``Pretrained`` init loads with ``strict=False`` and only logs missing or
    unexpected keys, so a wrong backbone variant leaves layers at random values without an
    error. This one loads the backbone tensors of ``checkpoint`` (a pretraining or segmentation
    checkpoint, or a file written by ``tools/model_converters/extract_backbone_weights.py``)
    and raises when any key is missing, unexpected, or has another shape.

    Use: ``backbone=dict(..., init_cfg=dict(type='PretrainedBackbone', checkpoint=PATH))``.

    Args:
        checkpoint (str): checkpoint file (or URL mmengine can load).
        prefix (str): key prefix of the backbone in a full checkpoint. Defaults to 'backbone.'.
        map_location (str): Defaults to 'cpu'.
    """

    def __init__(self, checkpoint=None, prefix='backbone.', map_location='cpu'):
        self.checkpoint = checkpoint
        self.prefix = prefix
        self.map_location = map_location
        self.wholemodule = False

    def __call__(self, module):
        if not self.checkpoint:
            raise ValueError(
                'PretrainedBackbone: no checkpoint given; set '
                'model.backbone.init_cfg.checkpoint=PATH (e.g. with --cfg-options), or '
                'model.backbone.init_cfg=None for a randomly initialised encoder.')
        try:
            state, meta = load_backbone_weights(self.checkpoint, self.prefix, self.map_location)
        except OSError as error:  # a missing file, an unreachable or failing URL
            remote = '://' in str(self.checkpoint)
            kind = FileNotFoundError if isinstance(error, FileNotFoundError) else OSError
            raise kind(
                f'PretrainedBackbone: cannot {"download" if remote else "read"} the checkpoint '
                f'{self.checkpoint} ({error}). Fetch it where there is network access and give '
                'its local path as model.backbone.init_cfg.checkpoint, or set '
                'model.backbone.init_cfg=None to start from random weights.') from error
        own = module.state_dict()
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        shapes = sorted(f'{key}: checkpoint {tuple(state[key].shape)} vs model '
                        f'{tuple(own[key].shape)}' for key in set(own) & set(state)
                        if state[key].shape != own[key].shape)
        if missing or unexpected or shapes:
            def listing(keys):
                return ', '.join(keys[:8]) + (f' ... ({len(keys)} in all)' if len(keys) > 8 else '')

            problems = [f'{len(missing)} missing keys ({listing(missing)})' if missing else '',
                        f'{len(unexpected)} unexpected keys ({listing(unexpected)})'
                        if unexpected else '',
                        f'{len(shapes)} shape mismatches ({listing(shapes)})' if shapes else '']
            raise RuntimeError(
                f'backbone weights of {self.checkpoint} do not fit {type(module).__name__}: '
                + '; '.join(p for p in problems if p) + '.' + _stem_hint(missing, unexpected))
        module.load_state_dict(state, strict=True)
        source = meta.get('source', self.checkpoint)
        print_log(f'loaded {len(state)} backbone tensors from {self.checkpoint} (source: '
                  f'{source}): 0 missing, 0 unexpected keys', logger='current')
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=f'PretrainedBackbone: load from {self.checkpoint}')
