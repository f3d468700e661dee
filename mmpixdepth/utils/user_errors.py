"""A user error in a distributed run as one line, printed once, not once per process and not
inside a launcher's traceback.

The first process to meet a message writes it to a file named by the message's hash: under
``tools/launch.py`` into the folder ``$MMPIXDEPTH_ERROR_DIR``, which the launcher prints at the
end of the run; under other launchers (srun) into ``<tmp>/mmpixdepth-errors/<parent pid>-<hash>``
(processes of one launch on one machine share a parent, slurmstepd), and that process prints it.
"""
import functools
import hashlib
import os
import sys
import tempfile

#: errors that mean the input is wrong (a missing file, a bad value or key), not the code
USER_ERRORS = (OSError, ValueError, KeyError)
TRACEBACK_ENV = 'MMPIXDEPTH_TRACEBACK'
ERROR_DIR_ENV = 'MMPIXDEPTH_ERROR_DIR'


def _distributed() -> bool:
    return any(int(os.environ.get(name, '1')) > 1 for name in ('WORLD_SIZE', 'SLURM_NTASKS'))


def _write_once(path: str, message: str) -> bool:
    """Write ``message`` to ``path`` unless it exists; whether this call wrote it."""
    try:
        handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    with os.fdopen(handle, 'w') as file:
        file.write(message)
    return True


def report_user_errors(main):
    """Decorate a tool's ``main``: in a distributed run a :data:`USER_ERRORS` exception is
    reported as ``error: ...`` once (see the module's docstring), and every process exits with
    code 1. Single-process runs, other exceptions, and runs with ``MMPIXDEPTH_TRACEBACK=1`` keep
    the traceback."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except USER_ERRORS as err:
            if not _distributed() or os.environ.get(TRACEBACK_ENV) == '1':
                raise
            text = err.args[0] if isinstance(err, KeyError) and err.args else err
            message = (f'error: {type(err).__name__}: {text}\n(once for all the processes '
                       f'that met it; {TRACEBACK_ENV}=1 shows the traceback)')
            digest = hashlib.sha1(message.encode()).hexdigest()[:16]
            folder = os.environ.get(ERROR_DIR_ENV)
            if folder:
                _write_once(os.path.join(folder, digest), message)
            else:
                folder = os.path.join(tempfile.gettempdir(), 'mmpixdepth-errors')
                os.makedirs(folder, exist_ok=True)
                if _write_once(os.path.join(folder, f'{os.getppid()}-{digest}'), message):
                    print(message, file=sys.stderr, flush=True)
            sys.exit(1)

    return wrapper
