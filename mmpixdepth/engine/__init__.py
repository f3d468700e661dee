from .backbone_weights import backbone_state_dict, load_backbone_weights
from .checkpoint import CHECKPOINT_SAFE_GLOBALS, load_checkpoint_file
from .hooks import CheckInvalidLossHook

__all__ = [
    'backbone_state_dict', 'load_backbone_weights', 'CHECKPOINT_SAFE_GLOBALS',
    'load_checkpoint_file', 'CheckInvalidLossHook'
]
