"""Start a distributed run as ``torch.distributed.run`` does (the same arguments); a failed run
ends with the processes' error messages, each once, and one line instead of the launcher's
traceback. Used by dist_train.sh and dist_test.sh."""
import os
import shutil
import sys
import tempfile

from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
from torch.distributed.run import parse_args, run

#: the folder where the processes leave their error messages (mmpixdepth.utils.user_errors)
ERROR_DIR_ENV = 'MMPIXDEPTH_ERROR_DIR'


def print_messages(folder: str) -> None:
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name)) as file:
            print(file.read(), file=sys.stderr)


def main(argv=None) -> int:
    args = parse_args(argv)
    folder = os.environ[ERROR_DIR_ENV] = tempfile.mkdtemp(prefix='mmpixdepth-errors-')
    try:
        run(args)
    except ChildFailedError as failed:
        print_messages(folder)
        rank, failure = failed.get_first_failure()
        how = (f'signal {failure.signal_name()}' if failure.exitcode < 0
               else f'exit code {failure.exitcode}')
        print(f'{failed.name} failed: process {rank} stopped first ({how}), '
              f'{len(failed.failures)} process(es) in all', file=sys.stderr)
        return failure.exitcode if failure.exitcode > 0 else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
