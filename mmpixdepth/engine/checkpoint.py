"""Loading checkpoints as data: whatever a file holds, loading it runs no code from it.

torch >= 2.6 unpickles with ``weights_only=True`` by default and mmengine (up to 0.10.7, the latest
release) calls ``torch.load`` without the argument, so a checkpoint written by mmengine's Runner
(it stores the message hub's ``HistoryBuffer`` objects and numpy values) cannot be resumed: the
loader below is, in part, a temporary shim for that, to keep (with its checks) when mmengine
allow-lists its own classes. Importing mmpixdepth registers
:func:`load_from_local_file` as mmengine's loader of local files, which keeps the safe unpickler
and allows exactly what Runner checkpoints hold, and wraps ``CheckpointLoader.load_checkpoint``
(every scheme: files, URLs, model zoos) with :func:`check_loaded_checkpoint`.

- Globals: the six of :data:`_GLOBAL_NAMES`, numpy's dtype classes and torch's own. Runner
  checkpoints (pickle protocol 2) name ``HistoryBuffer``'s methods as
  ``getattr(HistoryBuffer, 'min' | 'max' | 'current' | 'mean')``; ``builtins.getattr`` therefore
  resolves to :func:`_history_buffer_method`, which allows these four lookups and nothing else.
  ``HistoryBuffer.__setstate__`` updates a class attribute (its statistics methods): a file that
  would change it is refused and the attribute restored.
- Config text is dropped: mmengine executes it as Python. ``Runner.resume`` runs
  ``Config.fromstring(meta['config'])`` (a key only mmcv 1.x wrote, read there only to compare
  ``gpu_ids``); mmengine's inferencers run ``meta['cfg']`` or the message hub's ``cfg`` when given
  weights without a config. The seed and dataset meta that ``Runner.resume`` compares are kept.
- An empty, truncated, corrupt or foreign file is a :class:`CheckpointError` naming it; so is a
  file named ``NAME-<hex>.pth`` whose sha256 does not start with ``<hex>`` (the hash prefix of
  ``tools/model_converters/publish_model.py`` and torch.hub), and weights with NaN or inf.

A file you trust can be unpickled in full (any Python object, so it may run code) by listing it
in the environment variable ``MMPIXDEPTH_TRUSTED_CHECKPOINTS`` (paths separated by ``:``); the
other checks still apply.
"""
import hashlib
import importlib
import os
import os.path as osp
import pickle
import re
import zipfile

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

TRUSTED_ENV = 'MMPIXDEPTH_TRUSTED_CHECKPOINTS'

# numpy 2 pickles its arrays and scalars from ``numpy._core``, numpy 1 from ``numpy.core``.
_NUMPY_CORE = 'numpy._core' if int(np.__version__.split('.')[0]) >= 2 else 'numpy.core'

# Globals in checkpoints written by mmengine's Runner, beyond what torch allows by itself.
_GLOBAL_NAMES = (
    'builtins.getattr',  # resolved to _history_buffer_method
    'mmengine.logging.history_buffer.HistoryBuffer',
    'numpy.dtype',
    'numpy.ndarray',
    f'{_NUMPY_CORE}.multiarray._reconstruct',
    f'{_NUMPY_CORE}.multiarray.scalar',
)

#: The attribute lookups in Runner checkpoints: HistoryBuffer's default statistics methods.
HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')

#: ``NAME-<hex>.pth``: the file's sha256 starts with ``<hex>`` (8 to 64 lower-case digits).
HASH_SUFFIX = re.compile(r'-([0-9a-f]{8,64})\.pth$')

#: Keys of config text (Python source that mmengine executes) dropped from loaded checkpoints.
_CONFIG_KEYS = ('config', 'cfg')


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint; the message names it and says what is wrong."""


def _history_buffer_method(obj, name):
    """``builtins.getattr`` as a checkpoint may use it: ``HistoryBuffer.<statistic>`` only."""
    if obj is HistoryBuffer and name in HISTORY_BUFFER_METHODS:
        return getattr(HistoryBuffer, name)
    owner = obj.__qualname__ if isinstance(obj, type) else type(obj).__qualname__
    raise pickle.UnpicklingError(
        f'it looks up the attribute {name!r} of {owner}, while checkpoints may only look up '
        f'HistoryBuffer.{{{",".join(HISTORY_BUFFER_METHODS)}}}')


def _resolve(name):
    module, _, attr = name.rpartition('.')
    return getattr(importlib.import_module(module), attr)


# Creating a HistoryBuffer fills in its default statistics methods (a class attribute), as the
# first one unpickled would: loading a checkpoint must leave them as they are then.
HistoryBuffer()

# A numpy dtype is rebuilt as an instance of its class (``numpy.dtypes.Float64DType``, ...),
# which the safe unpickler must also know; these classes are data types, not code.
_NUMPY_DTYPE_CLASSES = [getattr(np.dtypes, n) for n in dir(np.dtypes) if n.endswith('DType')]

# Each global paired with the name it is pickled under.
CHECKPOINT_SAFE_GLOBALS = [(_history_buffer_method, 'builtins.getattr')] + [
    (_resolve(name), name) for name in _GLOBAL_NAMES[1:]] + _NUMPY_DTYPE_CLASSES


def file_sha256(path, chunk=1 << 20):
    """The sha256 hex digest of the file ``path``."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


def check_checkpoint_file(filename):
    """Raise :class:`CheckpointError` unless ``filename`` is a complete ``torch.save`` file.

    ``torch.save`` writes a zip archive: it must end with its central directory (a truncated
    file has none), hold a ``data.pkl`` and every member must match its CRC (the whole file is
    read). A file in torch's legacy format (a plain pickle) is left to ``torch.load``.
    """
    size = osp.getsize(filename)
    if size == 0:
        raise CheckpointError(f'checkpoint {filename} is empty (0 bytes)')
    with open(filename, 'rb') as f:
        head = f.read(4)
    if head.startswith(b'\x80'):
        return
    if head != b'PK\x03\x04':
        raise CheckpointError(
            f'{filename} is not a checkpoint: it starts with {head!r}, while torch.save writes a '
            "zip archive (b'PK\\x03\\x04')")
    try:
        with zipfile.ZipFile(filename) as archive:
            names = archive.namelist()
            corrupt = archive.testzip()
    except (zipfile.BadZipFile, EOFError) as err:
        raise CheckpointError(
            f'checkpoint {filename} is truncated or corrupt ({size} bytes, not a complete zip '
            f'archive: {err}); a save was interrupted or the copy is incomplete') from None
    if not any(name.endswith('data.pkl') for name in names):
        raise CheckpointError(f'{filename} is a zip archive but not a checkpoint: it has no '
                              'data.pkl, which torch.save writes')
    if corrupt is not None:
        raise CheckpointError(f'checkpoint {filename} is corrupt: its member {corrupt} does not '
                              'match its checksum')


def _check_name_hash(filename):
    match = HASH_SUFFIX.search(osp.basename(filename))
    if match is None:
        return
    expected, actual = match.group(1), file_sha256(filename)
    if not actual.startswith(expected):
        raise CheckpointError(
            f'checkpoint {filename} is corrupt or not the file it is named after: its name says '
            f'its sha256 starts with {expected}, but it starts with {actual[:len(expected)]} (a '
            'name ending in "-<hex>.pth" carries a hash prefix, as publish_model.py and '
            'torch.hub write; rename a file whose name only looks like that)')


def _trusted_files():
    value = os.environ.get(TRUSTED_ENV, '')
    return {osp.realpath(osp.expanduser(p)) for p in value.split(os.pathsep) if p}


def _refusal(filename, reason):
    return pickle.UnpicklingError(
        f'Refusing to load checkpoint {filename}: {reason}. Loading it could run code stored in '
        f'the file or change the running program. If you trust this file, allow it with '
        f'`export {TRUSTED_ENV}={osp.abspath(filename)}` (several files: separate them with '
        f'"{os.pathsep}").')


def _refusal_reason(filename, err):
    """Why the safe unpickler refused ``filename``: the globals outside the allowlist, else the
    unpickler's own reason (e.g. an attribute lookup of :func:`_history_buffer_method`)."""
    try:
        unexpected = torch.serialization.get_unsafe_globals_in_checkpoint(filename)
    except Exception:  # a legacy-format file: the unpickler's reason says enough
        unexpected = []
    unexpected = [g for g in unexpected if g not in _GLOBAL_NAMES]
    if unexpected:
        return ('it holds Python objects outside the allowlist of mmengine checkpoints: '
                + ', '.join(unexpected))
    reason = str(err).split('WeightsUnpickler error:', 1)[-1].strip()
    return reason.split('\n', 1)[0]


def _torch_load(filename, map_location, weights_only):
    try:
        return torch.load(filename, map_location=map_location, weights_only=weights_only)
    except pickle.UnpicklingError:
        raise
    except Exception as err:
        raise CheckpointError(
            f'cannot read checkpoint {filename}: {type(err).__name__}: {err}') from err


def load_from_local_file(filename, map_location=None):
    """Load a local checkpoint with the safe unpickler and the mmengine allowlist.

    Args:
        filename (str): path of the ``.pth`` file.
        map_location: as for :func:`torch.load`.

    Returns:
        The checkpoint (a dict for mmengine checkpoints).

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointError: the file is empty, truncated, corrupt, not a checkpoint, or does not
            match the hash prefix of its name.
        pickle.UnpicklingError: the file holds something outside the allowlist; the message
            names it and says how to load a trusted file.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    check_checkpoint_file(filename)
    _check_name_hash(filename)
    if osp.realpath(filename) in _trusted_files():
        return _torch_load(filename, map_location, weights_only=False)
    statistics = dict(HistoryBuffer._statistics_methods)
    try:
        with torch.serialization.safe_globals(CHECKPOINT_SAFE_GLOBALS):
            checkpoint = _torch_load(filename, map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise _refusal(filename, _refusal_reason(filename, err)) from err
    finally:
        changed = HistoryBuffer._statistics_methods != statistics
        if changed:
            HistoryBuffer._statistics_methods.clear()
            HistoryBuffer._statistics_methods.update(statistics)
    if changed:
        raise _refusal(filename, "it changes the statistics methods of mmengine's HistoryBuffer")
    return checkpoint


def check_loaded_checkpoint(checkpoint, filename):
    """Drop the config text of a loaded checkpoint (in place) and refuse NaN/inf weights.

    Raises:
        CheckpointError: a floating-point tensor of the weights (``state_dict``, or the
            checkpoint itself when it is a plain state dict) holds NaN or inf; the message names
            the tensors.
    """
    if not isinstance(checkpoint, dict):
        return checkpoint
    hub = checkpoint.get('message_hub')
    runtime_info = hub.get('runtime_info') if isinstance(hub, dict) else None
    for part in (checkpoint.get('meta'), runtime_info):
        if isinstance(part, dict):
            for key in _CONFIG_KEYS:
                part.pop(key, None)
    state = checkpoint.get('state_dict', checkpoint)
    bad = [key for key, value in state.items()
           if isinstance(value, torch.Tensor) and value.is_floating_point()
           and not bool(torch.isfinite(value).all())] if isinstance(state, dict) else []
    if bad:
        listed = ', '.join(bad[:10]) + (f' ... ({len(bad)} in all)' if len(bad) > 10 else '')
        raise CheckpointError(
            f'checkpoint {filename} holds weights with NaN or inf values: {listed}. It comes from '
            'a run that diverged or the file is damaged; use an earlier checkpoint.')
    return checkpoint


_mmengine_load_checkpoint = getattr(CheckpointLoader.load_checkpoint.__func__, '__wrapped__',
                                    CheckpointLoader.load_checkpoint.__func__)


def _load_and_check(cls, filename, map_location=None, logger='current'):
    """mmengine's ``CheckpointLoader.load_checkpoint``, then :func:`check_loaded_checkpoint`."""
    checkpoint = _mmengine_load_checkpoint(cls, filename, map_location, logger)
    return check_loaded_checkpoint(checkpoint, filename)


_load_and_check.__wrapped__ = _mmengine_load_checkpoint
CheckpointLoader.load_checkpoint = classmethod(_load_and_check)
CheckpointLoader.register_scheme(prefixes='', loader=load_from_local_file, force=True)
