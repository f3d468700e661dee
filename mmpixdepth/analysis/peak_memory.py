"""Peak memory of the tensors one call allocates, on a GPU or a CPU."""
import os
import sys
from contextlib import contextmanager
from typing import Callable

import torch
from torch.profiler import ProfilerActivity, profile


@contextmanager
def _quiet_stderr():
    """Silence file descriptor 2 (the profiler's C++ start/stop messages)."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def peak_memory(fn: Callable[[], object], device: torch.device) -> int:
    """Peak bytes of tensors allocated during ``fn()`` above those alive before it.

    CUDA: ``torch.cuda.max_memory_allocated``. CPU: the allocation (+) and free (-) events of
    torch's CPU allocator recorded by ``torch.profiler(profile_memory=True)``, summed in time
    order; the running maximum is the peak (tracemalloc does not see torch's allocations).
    """
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
        base = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        fn()
        torch.cuda.synchronize(device)
        return torch.cuda.max_memory_allocated(device) - base
    with _quiet_stderr(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events()
                    if e.name() == '[memory]')
    live = peak = 0
    for _, nbytes in events:
        live += nbytes
        peak = max(peak, live)
    return peak
