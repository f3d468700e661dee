"""Where mmpixdepth's modules are registered.

mmpixdepth adds no registries of its own: each module goes into the registries of the toolbox
that runs it (mmpretrain for pretraining and classification, mmseg for segmentation), so that a
config with ``custom_imports=dict(imports=['mmpixdepth'])`` finds it under that toolbox's default
scope. A transform that both toolboxes use is registered in both.
"""
from mmpretrain.registry import DATASETS as PRETRAIN_DATASETS
from mmpretrain.registry import HOOKS as PRETRAIN_HOOKS
from mmpretrain.registry import METRICS as PRETRAIN_METRICS
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmpretrain.registry import TRANSFORMS as PRETRAIN_TRANSFORMS
from mmpretrain.registry import WEIGHT_INITIALIZERS as PRETRAIN_WEIGHT_INITIALIZERS
from mmseg.registry import DATASETS as SEG_DATASETS
from mmseg.registry import HOOKS as SEG_HOOKS
from mmseg.registry import METRICS as SEG_METRICS
from mmseg.registry import MODELS as SEG_MODELS
from mmseg.registry import TRANSFORMS as SEG_TRANSFORMS
from mmseg.registry import VISUALIZERS as SEG_VISUALIZERS
from mmseg.registry import WEIGHT_INITIALIZERS as SEG_WEIGHT_INITIALIZERS

ALL_REGISTRIES = (PRETRAIN_DATASETS, PRETRAIN_HOOKS, PRETRAIN_METRICS, PRETRAIN_MODELS,
                  PRETRAIN_TRANSFORMS, PRETRAIN_WEIGHT_INITIALIZERS, SEG_DATASETS, SEG_HOOKS,
                  SEG_METRICS, SEG_MODELS, SEG_TRANSFORMS, SEG_VISUALIZERS,
                  SEG_WEIGHT_INITIALIZERS)


def register_module(*registries, name=None):
    """Class decorator registering the class into every registry given."""

    def _register(cls):
        for registry in registries:
            registry.register_module(name=name, module=cls)
        return cls

    return _register
