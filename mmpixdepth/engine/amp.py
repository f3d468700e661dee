"""Which mixed precision this machine runs: the choice of ``tools/train.py --amp``."""
from typing import Optional, Tuple

import torch
from mmengine.config import ConfigDict


def cpu_has_native_bf16() -> bool:
    """Whether the CPU computes in bfloat16 natively (AVX512-BF16 or AMX): where it does not,
    oneDNN emulates bfloat16 and autocast is slower than float32."""
    checks = ('_is_avx512_bf16_supported', '_is_amx_tile_supported')  # torch's own probes
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def choose_amp(optim_wrapper: ConfigDict) -> Tuple[Optional[ConfigDict], str]:
    """The mixed-precision version of ``optim_wrapper`` on this machine, and why.

    - CUDA: mmengine's ``AmpOptimWrapper`` (dynamic loss scale) in bfloat16 where the GPU
      supports it, else float16.
    - CPU with native bfloat16: :class:`AutocastOptimWrapper` (bfloat16, no loss scale).
    - Otherwise None: the run stays float32.

    Returns:
        ``(optim_wrapper or None, a sentence for the log)``; the optimizer, the parameter-wise
        settings and the other keys of ``optim_wrapper`` are kept.
    """
    base = {k: v for k, v in optim_wrapper.items() if k not in ('type', 'dtype', 'loss_scale')}
    if torch.cuda.is_available():
        name = torch.cuda.get_device_name()
        if torch.cuda.is_bf16_supported():
            return (ConfigDict(base, type='AmpOptimWrapper', dtype='bfloat16',
                               loss_scale='dynamic'),
                    f'--amp: bfloat16 autocast with AmpOptimWrapper on {name} (bfloat16 '
                    'supported)')
        return (ConfigDict(base, type='AmpOptimWrapper', dtype='float16', loss_scale='dynamic'),
                f'--amp: float16 autocast with AmpOptimWrapper and a dynamic loss scale on '
                f'{name} (no bfloat16 support)')
    if cpu_has_native_bf16():
        return (ConfigDict(base, type='AutocastOptimWrapper', dtype='bfloat16'),
                '--amp: bfloat16 autocast with AutocastOptimWrapper on the CPU (no CUDA device; '
                'the CPU has native bfloat16: AVX512-BF16 or AMX)')
    return None, ('--amp: training stays float32: no CUDA device and the CPU has no native '
                  'bfloat16 (no AVX512-BF16 or AMX), where bfloat16 autocast is slower than '
                  'float32')


def forward_precision(optim_wrapper: Optional[dict]) -> Tuple[Optional[torch.dtype], bool]:
    """How the forward pass of ``optim_wrapper`` computes: the autocast dtype (None for
    float32) and whether the model is in channels_last layout; so that code outside the
    optimiser step (the probes' feature extraction) computes as training does."""
    optim_wrapper = optim_wrapper or {}
    kind = optim_wrapper.get('type', 'OptimWrapper')
    if kind == 'AutocastOptimWrapper':
        return torch.bfloat16, optim_wrapper.get('channels_last', True)
    if kind == 'AmpOptimWrapper':
        return getattr(torch, optim_wrapper.get('dtype') or 'float16'), False
    return None, False
