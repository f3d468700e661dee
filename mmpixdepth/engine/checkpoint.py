"""Loading mmengine checkpoints on torch >= 2.6 without turning off ``weights_only``.

torch >= 2.6 unpickles with ``weights_only=True`` by default and mmengine 0.10 calls ``torch.load``
without the argument, so a checkpoint written by mmengine's Runner (it stores the message hub's
``HistoryBuffer`` objects and numpy values) cannot be resumed. Importing mmpixdepth replaces
mmengine's loader for local files by :func:`load_checkpoint_file`, which keeps the safe unpickler
and allows exactly the extra globals such checkpoints contain, only while that file is read.

A checkpoint holding any other global is refused with an error naming it. A file you trust can
be loaded in full by listing it in the environment variable ``MMPIXDEPTH_TRUSTED_CHECKPOINTS``
(paths separated by ``:``).
"""
import importlib
import os
import os.path as osp
import pickle

import numpy as np
import torch
from mmengine.runner.checkpoint import CheckpointLoader

TRUSTED_ENV = 'MMPIXDEPTH_TRUSTED_CHECKPOINTS'

# numpy 2 pickles its arrays and scalars from ``numpy._core``, numpy 1 from ``numpy.core``.
_NUMPY_CORE = 'numpy._core' if int(np.__version__.split('.')[0]) >= 2 else 'numpy.core'

# Globals in checkpoints written by mmengine's Runner, beyond what torch allows by itself.
# (``builtins.getattr`` rebuilds HistoryBuffer's statistics methods (``getattr(HistoryBuffer, 'mean')``);
# the safe unpickler never calls what it returns.)
_GLOBAL_NAMES = (
    'builtins.getattr',
    'mmengine.logging.history_buffer.HistoryBuffer',
    'numpy.dtype',
    'numpy.ndarray',
    f'{_NUMPY_CORE}.multiarray._reconstruct',
    f'{_NUMPY_CORE}.multiarray.scalar',
)


def _resolve(name):
    module, _, attr = name.rpartition('.')
    return getattr(importlib.import_module(module), attr)


# A numpy dtype is rebuilt as an instance of its class (``numpy.dtypes.Float64DType``, ...),
# which the safe unpickler must also know; these classes are data types, not code.
_NUMPY_DTYPE_CLASSES = [getattr(np.dtypes, n) for n in dir(np.dtypes) if n.endswith('DType')]

# Each global paired with the name it is pickled under.
CHECKPOINT_SAFE_GLOBALS = [(_resolve(name), name) for name in _GLOBAL_NAMES] + _NUMPY_DTYPE_CLASSES


def _trusted_files():
    value = os.environ.get(TRUSTED_ENV, '')
    return {osp.realpath(osp.expanduser(p)) for p in value.split(os.pathsep) if p}


def load_checkpoint_file(filename, map_location=None):
    """Load a local checkpoint with the safe unpickler and the mmengine allowlist.

    Args:
        filename (str): path of the ``.pth`` file.
        map_location: as for :func:`torch.load`.

    Returns:
        dict: the checkpoint.

    Raises:
        FileNotFoundError: the file does not exist.
        pickle.UnpicklingError: the file holds a global outside the allowlist; the message names
            the global and says how to load a trusted file.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    if osp.realpath(filename) in _trusted_files():
        return torch.load(filename, map_location=map_location, weights_only=False)
    try:
        with torch.serialization.safe_globals(CHECKPOINT_SAFE_GLOBALS):
            return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        try:
            unexpected = torch.serialization.get_unsafe_globals_in_checkpoint(filename)
        except Exception:  # not a zip checkpoint: the original error says enough
            unexpected = []
        allowed = set(_GLOBAL_NAMES)
        unexpected = [g for g in unexpected if g not in allowed] or ['(see the cause below)']
        raise pickle.UnpicklingError(
            f'Refusing to load checkpoint {filename}: it holds Python objects outside the '
            f'allowlist of mmengine checkpoints: {", ".join(unexpected)}. Loading them would run '
            f'code stored in the file. If you trust this file, allow it with '
            f'`export {TRUSTED_ENV}={osp.abspath(filename)}` (several files: separate them '
            f'with "{os.pathsep}").') from err


CheckpointLoader.register_scheme(prefixes='', loader=load_checkpoint_file, force=True)
