from .checkpoint import CHECKPOINT_SAFE_GLOBALS, load_checkpoint_file

__all__ = ['CHECKPOINT_SAFE_GLOBALS', 'load_checkpoint_file']
