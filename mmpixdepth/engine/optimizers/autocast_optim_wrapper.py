"""Mixed precision without a loss scaler: the forward pass under ``torch.autocast``.

mmengine's ``AmpOptimWrapper`` needs a GPU (it asserts CUDA/NPU/MLU/MUSA) and always scales the
loss, which float16 needs and bfloat16 does not (bfloat16 has float32's exponent range). This
wrapper runs the forward pass under ``torch.autocast(device, dtype)`` on whatever device the
model is on, a CPU included, and steps like the plain ``OptimWrapper``: the parameters, the
gradients and the optimizer state stay float32.
"""
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmpretrain.registry import OPTIM_WRAPPERS as PRETRAIN_OPTIM_WRAPPERS
from mmseg.registry import OPTIM_WRAPPERS as SEG_OPTIM_WRAPPERS

from mmpixdepth.registry import register_module


@register_module(PRETRAIN_OPTIM_WRAPPERS, SEG_OPTIM_WRAPPERS)
class AutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward pass runs under ``torch.autocast`` in bfloat16.

    Select it with ``optim_wrapper.type='AutocastOptimWrapper'`` (all other keys as for
    ``OptimWrapper``), or with ``tools/train.py --amp`` on a CPU with native bfloat16.

    Args:
        dtype (str): autocast dtype; only ``'bfloat16'``: float16 needs the loss scaling of
            mmengine's ``AmpOptimWrapper``.
        channels_last (bool): put the model's 4-D weights in channels_last layout when the
            first forward pass starts (the activations of its convolutions follow): on a CPU,
            oneDNN's bfloat16 convolutions then skip a layout conversion per layer (PixDepth
            step of the CPU protocol: 0.63 of the float32 time without, 0.52 with; see
            ``tools/analysis_tools/benchmark_pretrain.py``). Values and checkpoints are
            unchanged. Defaults to True.
        **kwargs: the arguments of ``OptimWrapper``.
    """

    def __init__(self, dtype: str = 'bfloat16', channels_last: bool = True, **kwargs):
        if dtype != 'bfloat16':
            raise ValueError(f"optim_wrapper.dtype={dtype!r}: AutocastOptimWrapper runs "
                             "'bfloat16' only (float16 needs a loss scaler: use mmengine's "
                             "AmpOptimWrapper on a GPU)")
        super().__init__(**kwargs)
        self.cast_dtype = torch.bfloat16
        self.channels_last = channels_last
        self._layout_set = False

    @contextmanager
    def optim_context(self, model: nn.Module):
        """The parent's context (gradient accumulation) and autocast on the model's device."""
        if self.channels_last and not self._layout_set:
            model.to(memory_format=torch.channels_last)
            self._layout_set = True
        device = next(model.parameters()).device.type
        with super().optim_context(model), torch.autocast(device, dtype=self.cast_dtype):
            yield
