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

import torch
from mmengine.runner.checkpoint import CheckpointLoader

TRUSTED_ENV = 'MMPIXDEPTH_TRUSTED_CHECKPOINTS'

# Globals in checkpoints written by mmengine's Runner, beyond what torch allows by itself.
# numpy 2 moved ``numpy.core`` to ``numpy._core``; both spellings are listed, the one the
# installed numpy lacks is skipped. ``getattr`` rebuilds HistoryBuffer's statistics methods
# (``getattr(HistoryBuffer, 'mean')``); the safe unpickler never calls what it returns.
_GLOBAL_NAMES = (
    'builtins.getattr',
    'mmengine.logging.history_buffer.HistoryBuffer',
    'numpy.dtype',
    'numpy.ndarray',
    'numpy._core.multiarray._reconstruct',
    'numpy._core.multiarray.scalar',
    'numpy.core.multiarray._reconstruct',
    'numpy.core.multiarray.scalar',
)


def _resolve(name):
    module, _, attr = name.rpartition('.')
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None


def _numpy_dtype_classes():
    """numpy >= 1.25 may pickle a dtype by its class (``numpy.dtypes.Float64DType``)."""
    try:
        import numpy.dtypes as dtypes
    except ImportError:
        return []
    return [getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')]


def _safe_globals():
    found = [(name, _resolve(name)) for name in _GLOBAL_NAMES]
    # Pair each object with its pickled name, since numpy's objects report their new home.
    return [(obj, name) for name, obj in found if obj is not None] + _numpy_dtype_classes()


CHECKPOINT_SAFE_GLOBALS = _safe_globals()


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
