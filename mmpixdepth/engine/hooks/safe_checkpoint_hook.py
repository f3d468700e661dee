"""mmengine's CheckpointHook, made safe against a kill at any moment and against reruns."""
import contextlib
import os
import re

from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook

from mmpixdepth.registry import PRETRAIN_HOOKS, SEG_HOOKS, register_module
from mmpixdepth.utils.atomic_write import remove_stale_temporaries, write_atomic


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend, writing through a temporary file in the same folder that
    replaces the target when complete (``os.replace``), flushed to disk."""

    def put(self, obj, filepath):
        write_atomic(filepath, obj, fsync=True)

    def put_text(self, obj, filepath, encoding='utf-8'):
        write_atomic(filepath, obj.encode(encoding), fsync=True)


register_backend('atomic_local', AtomicLocalBackend, force=True)


@register_module(PRETRAIN_HOOKS, SEG_HOOKS)
class SafeCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` (same arguments) that neither a kill nor a rerun can make
    lose a checkpoint.

    - Checkpoints (regular and best) are written atomically (:class:`AtomicLocalBackend`): a
      kill leaves the previous file or the new complete one, never a truncated one.
    - The checkpoints that ``max_keep_ckpts`` or a new best retire are deleted after the new
      one is written, not before (so one more checkpoint is on disk during a save).
    - A run that starts from scratch (``load_from`` included) refuses to start when the folder
      already holds checkpoints it would overwrite (names of ``filename_tmpl``); a resumed run
      warns about those later than the one it resumed from, which it will overwrite.
    - The temporary files of saves killed mid-write (``.NAME.<hex>.tmp``) are deleted from the
      checkpoint folder when a run starts, naming them in the log.

    With ``backend_args``, ``file_client_args`` or a remote ``out_dir``, files are written
    as mmengine writes them.
    """

    def before_train(self, runner) -> None:
        local = '://' not in str(self.out_dir or runner.work_dir)
        if self.backend_args is None and self.file_client_args is None and local:
            self.backend_args = dict(backend='atomic_local')
        super().before_train(runner)
        if isinstance(self.file_backend, AtomicLocalBackend):
            self._check_overwrites(runner)
            removed = remove_stale_temporaries(self.out_dir)
            if removed:
                runner.logger.info(f'deleted {len(removed)} temporary file(s) of interrupted '
                                   f'saves from {self.out_dir}: {", ".join(removed)}')

    def _check_overwrites(self, runner) -> None:
        if not os.path.isdir(self.out_dir):
            return
        start = runner.epoch if self.by_epoch else runner.iter
        pattern = re.compile(re.escape(self.filename_tmpl).replace(r'\{\}', r'(\d+)'))
        later = sorted((int(m.group(1)), name) for name in os.listdir(self.out_dir)
                       if (m := pattern.fullmatch(name)) and int(m.group(1)) > start)
        if not later:
            return
        names = ', '.join(name for _, name in later)
        if start == 0:
            raise RuntimeError(
                f'{self.out_dir} already holds checkpoints ({names}) that this run, which starts '
                'from scratch, would overwrite. Continue that run with --resume, choose '
                'another --work-dir, or delete them.')
        runner.logger.warning(
            f'resumed at {"epoch" if self.by_epoch else "iteration"} {start}: the later '
            f'checkpoints {names} in {self.out_dir} will be overwritten by this run')

    @contextlib.contextmanager
    def _deletions_after_save(self):
        """Hold back the deletions mmengine makes before a save until the save succeeded."""
        backend = self.file_backend
        if 'remove' in vars(backend):  # a save within a save (best, then regular): held already
            yield
            return
        pending = []
        backend.remove = pending.append  # shadows the method on this instance
        try:
            yield
        finally:
            del backend.remove
        for path in pending:
            backend.remove(path)

    def _save_checkpoint_with_step(self, runner, step, meta):
        with self._deletions_after_save():
            super()._save_checkpoint_with_step(runner, step, meta)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        with self._deletions_after_save():
            super()._save_best_checkpoint(runner, metrics)
