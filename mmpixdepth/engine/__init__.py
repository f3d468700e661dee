from .checkpoint import CHECKPOINT_SAFE_GLOBALS, load_checkpoint_file
from .hooks import CheckInvalidLossHook

__all__ = ['CHECKPOINT_SAFE_GLOBALS', 'load_checkpoint_file', 'CheckInvalidLossHook']
