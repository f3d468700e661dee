from .amp import choose_amp, cpu_has_native_bf16, forward_precision
from .backbone_weights import backbone_state_dict, load_backbone_into, load_backbone_weights
from .checkpoint import (CHECKPOINT_SAFE_GLOBALS, CheckpointError, check_checkpoint_file,
                         check_loaded_checkpoint, file_sha256, load_from_local_file)
from .checkpoint_schemes import download_checkpoint, load_from_url
from .hooks import (AtomicLocalBackend, CheckInvalidLossHook, CheckWeightsFitHook,
                    EarlyStoppingHookShim, SafeCheckpointHook, check_weights_fit,
                    require_weights_fit)
from .optimizer_log import summarise_optimizer_log
from .optimizers import AutocastOptimWrapper
from .resume import find_resume_checkpoint, resolve_resume

__all__ = [
    'choose_amp', 'cpu_has_native_bf16', 'forward_precision', 'AutocastOptimWrapper',
    'backbone_state_dict', 'load_backbone_into', 'load_backbone_weights',
    'CHECKPOINT_SAFE_GLOBALS', 'CheckpointError', 'check_checkpoint_file',
    'check_loaded_checkpoint', 'file_sha256', 'load_from_local_file', 'AtomicLocalBackend',
    'CheckInvalidLossHook', 'EarlyStoppingHookShim', 'SafeCheckpointHook',
    'CheckWeightsFitHook', 'check_weights_fit', 'require_weights_fit', 'download_checkpoint',
    'load_from_url', 'summarise_optimizer_log',
    'find_resume_checkpoint', 'resolve_resume'
]
