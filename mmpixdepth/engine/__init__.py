from .amp import choose_amp, cpu_has_native_bf16, forward_precision
from .backbone_weights import backbone_state_dict, load_backbone_into, load_backbone_weights
from .checkpoint import (CHECKPOINT_SAFE_GLOBALS, CheckpointError, check_checkpoint_file,
                         check_loaded_checkpoint, file_sha256, load_from_local_file)
from .hooks import (AtomicLocalBackend, CheckInvalidLossHook, EarlyStoppingHookShim,
                    SafeCheckpointHook)
from .optimizers import AutocastOptimWrapper
from .resume import find_resume_checkpoint, resolve_resume

__all__ = [
    'choose_amp', 'cpu_has_native_bf16', 'forward_precision', 'AutocastOptimWrapper',
    'backbone_state_dict', 'load_backbone_into', 'load_backbone_weights',
    'CHECKPOINT_SAFE_GLOBALS', 'CheckpointError', 'check_checkpoint_file',
    'check_loaded_checkpoint', 'file_sha256', 'load_from_local_file', 'AtomicLocalBackend',
    'CheckInvalidLossHook', 'EarlyStoppingHookShim', 'SafeCheckpointHook',
    'find_resume_checkpoint', 'resolve_resume'
]
