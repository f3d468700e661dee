"""Stop training at the first non-finite loss instead of training on NaN."""
import math

from mmengine.hooks import Hook

from mmpixdepth.registry import PRETRAIN_HOOKS, SEG_HOOKS, register_module
from ..resume import find_resume_checkpoint


@register_module(PRETRAIN_HOOKS, SEG_HOOKS)
class CheckInvalidLossHook(Hook):
    """Raise ``FloatingPointError`` when a loss term of a training step is NaN or inf.

    The runtime hook already reads every loss term off the device after each step, so checking
    them adds no synchronisation. The error names the iteration and the terms, and the
    checkpoint ``--resume`` would continue from, if the work dir holds a complete one.

    Args:
        interval (int): check every ``interval`` iterations. Defaults to 1.
    """

    priority = 'VERY_LOW'  # after RuntimeInfoHook has logged the values

    def __init__(self, interval: int = 1) -> None:
        self.interval = interval

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if not outputs or not self.every_n_train_iters(runner, self.interval):
            return
        values = {key: float(value.detach()) if hasattr(value, 'detach') else float(value)
                  for key, value in outputs.items() if 'loss' in key}
        bad = {key: value for key, value in values.items() if not math.isfinite(value)}
        if bad:
            terms = ', '.join(f'{key}={value}' for key, value in values.items())
            last = find_resume_checkpoint(runner.work_dir)
            resume = (f'{last} is complete (--resume continues from it)' if last else
                      f'{runner.work_dir} holds no complete checkpoint yet, so there is nothing '
                      'to resume')
            raise FloatingPointError(
                f'non-finite loss at iteration {runner.iter + 1} (epoch {runner.epoch + 1}): '
                f'{terms}. Training stopped; {resume}. Common causes: a learning rate too high '
                'for the batch size, NaN/inf in the inputs, fp16 overflow under --amp.')
