"""Temporary shim for mmengine 0.10's EarlyStoppingHook, which a test-only run cannot build."""
from mmengine.hooks import EarlyStoppingHook

from mmpixdepth.registry import PRETRAIN_HOOKS, SEG_HOOKS, register_module


@register_module(PRETRAIN_HOOKS, SEG_HOOKS)
class EarlyStoppingHookShim(EarlyStoppingHook):
    """mmengine's ``EarlyStoppingHook`` (same arguments), checking the train loop only when
    training starts.

    mmengine 0.10.7 checks ``runner.train_loop`` in ``before_run``, which every run calls: in
    ``runner.test()`` (``tools/test.py``) that builds the train loop and its dataloader, so
    testing a checkpoint needs the training data. Drop this shim for a release of mmengine after 0.10.7
    (the latest) that checks in ``before_train``.
    """

    def before_run(self, runner) -> None:
        pass

    def before_train(self, runner) -> None:
        super().before_run(runner)
