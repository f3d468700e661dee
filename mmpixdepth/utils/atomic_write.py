"""Writing files so that a process killed at any moment leaves either the old or the new file."""
import contextlib
import os
import os.path as osp
import re
import uuid

#: Names of the temporary files of :func:`atomic_open`: ``.NAME.<12 hex digits>.tmp``.
TEMPORARY_NAME = re.compile(r'\..+\.[0-9a-f]{12}\.tmp')


@contextlib.contextmanager
def atomic_open(path, fsync=False):
    """Open a hidden temporary file next to ``path`` (``.NAME.<random>.tmp``) for binary writing.

    When the ``with`` block ends without error the file replaces ``path`` (``os.replace``, atomic
    within a folder); on any error, or a kill, ``path`` is untouched (a kill may leave the
    temporary file: :func:`remove_stale_temporaries` deletes it). Parent folders are created. With ``fsync`` the data
    and the rename are also flushed to disk, so they survive a power loss.
    """
    folder, name = osp.split(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{name}.{uuid.uuid4().hex[:12]}.tmp')
    try:
        with open(tmp, 'xb') as f:
            yield f
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    if fsync:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomic(path, data, fsync=False):
    """Write the bytes ``data`` to ``path`` through :func:`atomic_open`."""
    with atomic_open(path, fsync) as f:
        f.write(data)


def remove_stale_temporaries(folder):
    """Delete the temporary files that :func:`atomic_open` left in ``folder`` (not below it)
    when its process was killed mid-write: names matching :data:`TEMPORARY_NAME` only. Call it
    where no other process is writing into ``folder``. Returns the names removed."""
    if not osp.isdir(folder):
        return []
    removed = []
    for name in sorted(os.listdir(folder)):
        path = osp.join(folder, name)
        if TEMPORARY_NAME.fullmatch(name) and osp.isfile(path):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
                removed.append(name)
    return removed
