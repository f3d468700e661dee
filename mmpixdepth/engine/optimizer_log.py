"""One line about the optimizer's parameter groups instead of one per parameter.

mmengine's optimizer constructor logs a warning for every parameter without gradients (the
momentum encoder's: about 60 lines for a ResNet-18) and a line for every ``paramwise_cfg``
setting (about 120 with PixPro's LARS exclusions). :func:`summarise_optimizer_log` counts
them instead and logs the counts once, when the run starts.
"""
import logging
import re
from collections import Counter

from mmengine.hooks import Hook

#: The constructor's per-parameter messages, by kind.
PER_PARAMETER = {
    'without gradients (not optimised)': re.compile(r' is skipped since its requires_grad=False$'),
    'with paramwise settings': re.compile(r'^paramwise_options -- '),
}


class OptimizerLogFilter(logging.Filter):
    """Drops the per-parameter messages of :data:`PER_PARAMETER`, counting them."""

    def __init__(self) -> None:
        super().__init__()
        self.counts = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for kind, pattern in PER_PARAMETER.items():
            if pattern.search(message):
                self.counts[kind] += 1
                return False
        return True


class OptimizerLogSummaryHook(Hook):
    """Logs the counts of an :class:`OptimizerLogFilter` when the run starts."""

    priority = 'VERY_LOW'

    def __init__(self, log_filter: OptimizerLogFilter) -> None:
        self.log_filter = log_filter

    def before_run(self, runner) -> None:
        counts = self.log_filter.counts
        if counts:
            parts = ', '.join(f'{counts[kind]} parameter tensors {kind}' for kind in PER_PARAMETER
                              if counts[kind])
            runner.logger.info(f'optimizer: {parts} (listed one by one without mmpixdepth\'s '
                               'log filter)')


def summarise_optimizer_log(runner) -> OptimizerLogFilter:
    """Install the filter on ``runner``'s logger and the hook that logs its counts."""
    log_filter = OptimizerLogFilter()
    runner.logger.addFilter(log_filter)
    runner.register_hook(OptimizerLogSummaryHook(log_filter))
    return log_filter
