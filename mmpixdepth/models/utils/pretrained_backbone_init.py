"""Load pretrained encoder weights into a backbone, failing on any key mismatch."""
from mmengine.logging import print_log
from mmengine.model.weight_init import update_init_info

from mmpixdepth.engine.backbone_weights import load_backbone_into
from mmpixdepth.registry import PRETRAIN_WEIGHT_INITIALIZERS, SEG_WEIGHT_INITIALIZERS, \
    register_module


@register_module(PRETRAIN_WEIGHT_INITIALIZERS, SEG_WEIGHT_INITIALIZERS)
class PretrainedBackbone:
    """``init_cfg`` loading a pretrained encoder strictly.

    mmengine's ``Pretrained`` init loads with ``strict=False`` and only logs missing or
    unexpected keys, so a wrong backbone variant leaves layers at random values without an
    error. This one loads (mmengine's ``load_state_dict`` with ``strict=True``) the backbone tensors of ``checkpoint`` (a pretraining or segmentation
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
            count, meta = load_backbone_into(module, self.checkpoint, self.prefix,
                                             self.map_location)
        except OSError as error:  # a missing file, an unreachable or failing URL
            remote = '://' in str(self.checkpoint)
            kind = FileNotFoundError if isinstance(error, FileNotFoundError) else OSError
            raise kind(
                f'PretrainedBackbone: cannot {"download" if remote else "read"} the checkpoint '
                f'{self.checkpoint} ({error}). Fetch it where there is network access and give '
                'its local path as model.backbone.init_cfg.checkpoint, or set '
                'model.backbone.init_cfg=None to start from random weights.') from error
        source = meta.get('source', self.checkpoint)
        print_log(f'loaded {count} backbone tensors from {self.checkpoint} (source: {source}): '
                  '0 missing, 0 unexpected keys', logger='current')
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=f'PretrainedBackbone: load from {self.checkpoint}')
