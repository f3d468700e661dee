"""Which checkpoint a resumed run continues from: the newest complete one in its work dir."""
import logging
import os
import os.path as osp
import re

from mmengine.logging import print_log

from .checkpoint import CheckpointError, check_checkpoint_file

#: Names of the checkpoints mmengine's CheckpointHook writes by default.
STEP_CHECKPOINT = re.compile(r'(?:epoch|iter)_(\d+)\.pth')


def _candidates(work_dir):
    """The file named in ``last_checkpoint`` (looked up by name in ``work_dir``, so that a moved
    or copied work dir works), then ``epoch_N.pth`` / ``iter_N.pth``, highest N first."""
    names = sorted((n for n in os.listdir(work_dir) if STEP_CHECKPOINT.fullmatch(n)),
                   key=lambda n: -int(STEP_CHECKPOINT.fullmatch(n).group(1)))
    last_file = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(last_file):
        with open(last_file) as f:
            last = osp.basename(f.read().strip())
        if last and osp.isfile(osp.join(work_dir, last)):
            names = [last] + [n for n in names if n != last]
        else:
            print_log(f'{last_file} names {last or "nothing"}, which is not in {work_dir}; '
                      'looking for the newest checkpoint there', 'current', logging.WARNING)
    return [osp.join(work_dir, n) for n in names]


def find_resume_checkpoint(work_dir):
    """The checkpoint to resume from in ``work_dir``, or None when it holds no complete one.

    The first complete file (:func:`check_checkpoint_file`) among the candidates: the file that
    ``last_checkpoint`` names, then ``epoch_N.pth`` / ``iter_N.pth`` from the highest N down.
    Each incomplete candidate is skipped with a warning naming it and what is wrong.
    """
    if not osp.isdir(work_dir):
        return None
    for path in _candidates(work_dir):
        try:
            check_checkpoint_file(path)
        except CheckpointError as err:
            print_log(f'not resuming from {path}: {err}', 'current', logging.WARNING)
            continue
        return path
    return None


def resolve_resume(cfg, required):
    """Point an auto-resuming config (``resume=True``, no ``load_from``) at its checkpoint.

    Sets ``cfg.load_from`` to :func:`find_resume_checkpoint` of ``cfg.work_dir``. When there is
    none, raises ``FileNotFoundError`` if ``required`` (``tools/train.py --resume``), else
    starts from scratch (``resume=False``: what ``resume=True`` means in an mmengine config).
    A config that names ``load_from`` is left as it is.
    """
    if not cfg.get('resume') or cfg.get('load_from'):
        return cfg
    found = find_resume_checkpoint(cfg.work_dir)
    if found is None and required:
        raise FileNotFoundError(
            f'--resume: no complete checkpoint in the work dir {cfg.work_dir} (it looks for the '
            'file named in last_checkpoint, then epoch_N.pth / iter_N.pth); give one with '
            '--resume CKPT, or train without --resume')
    cfg.load_from = found
    cfg.resume = found is not None
    return cfg
