from .check_invalid_loss_hook import CheckInvalidLossHook

__all__ = ['CheckInvalidLossHook']
