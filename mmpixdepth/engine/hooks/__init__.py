from .check_invalid_loss_hook import CheckInvalidLossHook
from .early_stopping_hook_shim import EarlyStoppingHookShim
from .safe_checkpoint_hook import AtomicLocalBackend, SafeCheckpointHook

__all__ = ['CheckInvalidLossHook', 'EarlyStoppingHookShim', 'AtomicLocalBackend',
           'SafeCheckpointHook']
