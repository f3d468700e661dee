from .check_invalid_loss_hook import CheckInvalidLossHook
from .safe_checkpoint_hook import AtomicLocalBackend, SafeCheckpointHook

__all__ = ['CheckInvalidLossHook', 'AtomicLocalBackend', 'SafeCheckpointHook']
