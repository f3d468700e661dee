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
- ``HistoryBuffer`` objects must hold exactly the state a Runner writes (``max_length`` and two
  1-D numeric arrays of equal length); any other attribute is refused, naming it.
- An empty, truncated, corrupt, foreign or unparsable file is a :class:`CheckpointError` naming
  it; so is a file named ``NAME-<hex>.pth`` whose sha256 does not start with ``<hex>`` (the hash
  prefix of ``tools/model_converters/publish_model.py`` and torch.hub), a file that holds no dict,
  weights stored as numpy arrays, and NaN or inf in the weights or the optimizer state.

Remote checkpoints (URLs, model-zoo prefixes) are downloaded first and then read by the same
loader: see :mod:`mmpixdepth.engine.checkpoint_schemes`.

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

from mmpixdepth.utils.listing import first_few

TRUSTED_ENV = 'MMPIXDEPTH_TRUSTED_CHECKPOINTS'

# numpy 2 pickles its arrays and scalars from ``numpy._core``, numpy 1 from ``numpy.core``.
_NUMPY_CORE = 'numpy._core' if int(np.__version__.split('.')[0]) >= 2 else 'numpy.core'

# Globals in checkpoints written by mmengine's Runner, beyond what torch allows by itself. They
# are allowed per load (torch.serialization.safe_globals), not process-wide with
# add_safe_globals: mmengine's own loaders and other libraries keep torch's default list.
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

#: ``torch.save``'s legacy (non-zip) format starts with the pickle of this magic number.
LEGACY_HEADER = b'\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19.'

#: The attributes of a HistoryBuffer as a Runner checkpoint restores them.
HISTORY_BUFFER_STATE = ('max_length', '_log_history', '_count_history')

# An unpickler error about building objects (a hostile file), not about parsing (a damaged one).
_OBJECT_ERROR = re.compile(r'global|reduce|class|build|attribute|instantiat', re.IGNORECASE)

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
        head = f.read(len(LEGACY_HEADER))
    if head == LEGACY_HEADER:
        return
    if head.startswith(b'\x80'):
        raise CheckpointError(
            f'{filename} is not a checkpoint: it is a pickle without the header of torch.save '
            "(neither a zip archive nor torch's legacy format); save it with torch.save")
    if head[:4] != b'PK\x03\x04':
        raise CheckpointError(
            f'{filename} is not a checkpoint: it starts with {head[:4]!r}, while torch.save writes a '
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


def is_trusted(filename):
    """Whether ``filename`` is listed in ``MMPIXDEPTH_TRUSTED_CHECKPOINTS`` (real paths compared):
    the only files this package unpickles in full."""
    value = os.environ.get(TRUSTED_ENV, '')
    listed = {osp.realpath(osp.expanduser(p)) for p in value.split(os.pathsep) if p}
    return osp.realpath(osp.expanduser(filename)) in listed


def _refusal(filename, reason):
    return pickle.UnpicklingError(
        f'Refusing to load checkpoint {filename}: {reason}. Loading it could run code stored in '
        f'the file or change the running program. If you trust this file, allow it with '
        f'`export {TRUSTED_ENV}={osp.abspath(filename)}` (several files: separate them with '
        f'"{os.pathsep}").')


def _unpickling_error(filename, err):
    """The error for a file the safe unpickler stopped on: a refusal naming the globals outside
    the allowlist or the object it would build (a hostile file), else a :class:`CheckpointError`
    saying the file is damaged (the unpickler could not parse it)."""
    try:
        unexpected = torch.serialization.get_unsafe_globals_in_checkpoint(filename)
    except Exception:  # a legacy-format file: the unpickler's reason says enough
        unexpected = []
    unexpected = [g for g in unexpected if g not in _GLOBAL_NAMES]
    if unexpected:
        return _refusal(filename, 'it holds Python objects outside the allowlist of mmengine '
                        'checkpoints: ' + ', '.join(unexpected))
    reason = str(err).split('WeightsUnpickler error:', 1)[-1].strip().split('\n', 1)[0]
    if _OBJECT_ERROR.search(reason):
        return _refusal(filename, reason)
    return CheckpointError(f'checkpoint {filename} is damaged or not a checkpoint: its pickle '
                           f'cannot be parsed ({reason})')


def _history_buffer_problem(buffer):
    """Why ``buffer`` (a loaded HistoryBuffer) is not what a Runner writes, or None."""
    state = vars(buffer)
    extra = sorted(set(state) - set(HISTORY_BUFFER_STATE))
    if extra:
        return f'a HistoryBuffer with the attribute {extra[0]!r}, which Runner checkpoints do not hold'
    missing = [name for name in HISTORY_BUFFER_STATE if name not in state]
    if missing:
        return f'a HistoryBuffer without its attribute {missing[0]!r}'
    if type(state['max_length']) is not int or state['max_length'] < 1:
        return f'a HistoryBuffer whose max_length is {state["max_length"]!r}, not a positive int'
    arrays = [state['_log_history'], state['_count_history']]
    for name, value in zip(HISTORY_BUFFER_STATE[1:], arrays):
        if type(value) is not np.ndarray or value.ndim != 1 or value.dtype.kind not in 'biuf':
            return f'a HistoryBuffer whose {name} is not a 1-D numeric numpy array'
    if len(arrays[0]) != len(arrays[1]):
        return 'a HistoryBuffer whose _log_history and _count_history differ in length'
    return None


def _check_history_buffers(checkpoint, filename):
    """Refuse ``checkpoint`` (walked through its dicts, lists and tuples) when it holds a
    HistoryBuffer that is not what a Runner writes."""
    stack, seen = [checkpoint], set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, HistoryBuffer):
            problem = _history_buffer_problem(obj)
            if problem:
                raise _refusal(filename, f'it holds {problem}')
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple)):
            stack.extend(obj)


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
    if is_trusted(filename):
        return _torch_load(filename, map_location, weights_only=False)
    statistics = dict(HistoryBuffer._statistics_methods)
    try:
        with torch.serialization.safe_globals(CHECKPOINT_SAFE_GLOBALS):
            checkpoint = _torch_load(filename, map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise _unpickling_error(filename, err) from err
    finally:
        changed = HistoryBuffer._statistics_methods != statistics
        if changed:
            HistoryBuffer._statistics_methods.clear()
            HistoryBuffer._statistics_methods.update(statistics)
    if changed:
        raise _refusal(filename, "it changes the statistics methods of mmengine's HistoryBuffer")
    _check_history_buffers(checkpoint, filename)
    return checkpoint


def _non_finite(tensors):
    """The names of the floating-point tensors of ``tensors`` (name -> value) with NaN or inf."""
    return [name for name, value in tensors
            if isinstance(value, torch.Tensor) and value.is_floating_point()
            and not bool(torch.isfinite(value).all())]


def _optimizer_tensors(optimizer, prefix=''):
    """(name, tensor) of an optimizer state dict's per-parameter state (``exp_avg``, ...); the
    state dict of mmengine's ``OptimWrapperDict`` holds one per optimizer."""
    if not isinstance(optimizer, dict):
        return []
    state = optimizer.get('state')
    if not isinstance(state, dict):
        return [pair for name, value in optimizer.items()
                for pair in _optimizer_tensors(value, f'{prefix}{name}.')]
    return [(f'{prefix}{key}.{name}', value) for key, entry in state.items()
            if isinstance(entry, dict) for name, value in entry.items()]


def check_loaded_checkpoint(checkpoint, filename):
    """Drop the config text of a loaded checkpoint (in place) and check that it holds weights.

    Raises:
        CheckpointError: the file holds no dict (a bare tensor, a list, ...); its weights
            (``state_dict``, or the checkpoint itself when it is a plain state dict) are not
            tensors (numpy arrays are refused: they would be skipped by ``load_state_dict``) or
            hold NaN or inf; or its optimizer state holds NaN or inf. The message names the file
            and the tensors.
    """
    if not isinstance(checkpoint, dict):
        raise CheckpointError(
            f'{filename} is not a checkpoint: it holds a {type(checkpoint).__name__}, while a '
            "checkpoint is a dict of weights (a state dict, or a dict with a 'state_dict' key)")
    hub = checkpoint.get('message_hub')
    runtime_info = hub.get('runtime_info') if isinstance(hub, dict) else None
    for part in (checkpoint.get('meta'), runtime_info):
        if isinstance(part, dict):
            for key in _CONFIG_KEYS:
                part.pop(key, None)
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, dict):
        raise CheckpointError(f"{filename} is not a checkpoint: its 'state_dict' is a "
                              f'{type(state).__name__}, not a dict of tensors')
    arrays = [key for key, value in state.items() if isinstance(value, np.ndarray)]
    if arrays:
        raise CheckpointError(
            f'checkpoint {filename} holds weights as numpy arrays, not tensors: {first_few(arrays, 10)}.'
            ' Model weights are loaded from tensors only (arrays would be skipped, leaving the '
            'weights random): convert them with torch.from_numpy and save the file again.')
    bad = _non_finite(state.items())
    if bad:
        raise CheckpointError(
            f'checkpoint {filename} holds weights with NaN or inf values: {first_few(bad, 10)}. It comes '
            'from a run that diverged or the file is damaged; use an earlier checkpoint.')
    bad = _non_finite(_optimizer_tensors(checkpoint.get('optimizer')))
    if bad:
        raise CheckpointError(
            f'checkpoint {filename} holds an optimizer state with NaN or inf values (parameter.'
            f'state: {first_few(bad, 10)}): resuming from it would diverge. Use an earlier checkpoint, '
            'or load only its weights (load_from) without resuming.')
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
