"""mmpixdepth: depth-aware self-supervised pretraining for the OpenMMLab stack.

Importing the package (or ``custom_imports=dict(imports=['mmpixdepth'])`` in a config) registers
every module into mmpretrain's and mmseg's registries and installs the checkpoint loader that
allowlists the globals of mmengine checkpoints (see ``mmpixdepth.engine.checkpoint``).
"""
from . import datasets, engine, evaluation, models, utils, visualization  # noqa: F401  (registers)
from .version import __version__

__all__ = ['__version__']
