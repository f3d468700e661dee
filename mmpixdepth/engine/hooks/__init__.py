from .check_invalid_loss_hook import CheckInvalidLossHook
from .check_weights_fit_hook import CheckWeightsFitHook, check_weights_fit, require_weights_fit
from .early_stopping_hook_shim import EarlyStoppingHookShim
from .progress_hook import ProgressHook
from .safe_checkpoint_hook import AtomicLocalBackend, SafeCheckpointHook

__all__ = ['CheckInvalidLossHook', 'CheckWeightsFitHook', 'check_weights_fit',
           'require_weights_fit', 'EarlyStoppingHookShim', 'ProgressHook', 'AtomicLocalBackend',
           'SafeCheckpointHook']
