"""A training run's progress on the console: iterations done, loss, elapsed and remaining time."""
import math
import sys
import time

from mmengine.hooks import Hook


class ProgressHook(Hook):
    """Progress of a training run on the console (iterations done, loss, elapsed and remaining
    time in seconds): one line rewritten in place on a terminal, else a line per tenth of the run.

    Registered by the transfer benchmark on each of its runners, whose LoggerHook writes the
    full log to the run's files only (the console would get the config and environment of every
    run); mmengine's ``ProgressBar`` shows no loss and rewrites its line at every update even
    when the output is a file.

    Args:
        title (str): Start of every line, naming the run.
        stream (file, optional): Where the lines go. Defaults to ``sys.stdout``.
    """

    priority = 'VERY_LOW'

    def __init__(self, title: str, stream=None) -> None:
        self.title = title
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.start = self.start_iter = None
        self.printed = -1

    def before_train(self, runner) -> None:
        self.start, self.start_iter = time.time(), runner.iter  # > 0 when resumed

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        done, total = runner.iter + 1, runner.max_iters
        step = max(total // 10, 1)
        if not self.tty and done % step and done != total:
            return
        elapsed = time.time() - self.start
        eta = elapsed / max(done - self.start_iter, 1) * (total - done)
        loss = float(outputs['loss'].detach()) if outputs and 'loss' in outputs else math.nan
        line = (f'  {self.title}: iter {done}/{total}, loss {loss:.3f}, '
                f'{elapsed:.0f} s, about {eta:.0f} s left')
        if self.tty:
            self.stream.write('\r' + line.ljust(self.printed))
            self.printed = len(line)
            if done == total:
                self.stream.write('\n')
        else:
            self.stream.write(line + '\n')
        self.stream.flush()
