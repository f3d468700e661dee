"""Helpers the tests share that the package does not need: writing PFM files, listing the
package's registered modules."""
import numpy as np
from mmengine import fileio

from mmpixdepth.registry import ALL_REGISTRIES


def write_pfm(path, array, little_endian=True):
    """Write a float32 PFM file.

    Args:
        path (str | Path): Output file (parent folders are created).
        array (np.ndarray): ``(H, W)`` (written as ``Pf``) or ``(H, W, 3)`` (``PF``); values
            are stored as float32.
        little_endian (bool): Byte order of the data (the scale is -1 for little endian and
            1 for big endian). Defaults to True.
    """
    array = np.asarray(array)
    if array.ndim == 2:
        kind = 'Pf'
    elif array.ndim == 3 and array.shape[2] == 3:
        kind = 'PF'
    else:
        raise ValueError(f'PFM holds (H, W) or (H, W, 3) arrays, got shape {array.shape}')
    height, width = array.shape[:2]
    # Written here: OpenCV's PFM encoder writes the host byte order only.
    dtype = np.dtype('<f4') if little_endian else np.dtype('>f4')
    scale = -1.0 if little_endian else 1.0
    header = f'{kind}\n{width} {height}\n{scale}\n'.encode('ascii')
    data = np.ascontiguousarray(np.flipud(array), dtype=dtype).tobytes()
    fileio.put(header + data, str(path))


def registered_modules():
    """Return ``{(registry scope, registry name, key): class}`` for every mmpixdepth module."""
    found = {}
    for registry in ALL_REGISTRIES:
        for key, cls in registry.module_dict.items():
            if cls.__module__.startswith('mmpixdepth.'):
                found[(registry.scope, registry.name, key)] = cls
    return found
