"""Distributed runs on machines without CUDA."""
import torch
import torch.distributed as dist


def init_cpu_dist(launcher: str) -> bool:
    """Start the gloo process group for ``--launcher pytorch`` when CUDA is unavailable.

    Temporary shim: mmengine's pytorch launcher (up to 0.10.7, the latest release) always
    calls ``torch.cuda.set_device``, which fails without a GPU; a process group started here is
    reused by the Runner as it is. Drop it for an mmengine release that starts gloo on CPU.
    Returns whether one was started.
    """
    if launcher != 'pytorch' or torch.cuda.is_available() or dist.is_initialized():
        return False
    dist.init_process_group(backend='gloo')  # rank, world size and master from torchrun's env
    return True
