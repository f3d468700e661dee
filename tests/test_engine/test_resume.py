"""Resuming picks the newest complete checkpoint, a kill during a save loses nothing, a rerun
overwrites nothing silently; the invalid-loss message and tools/test.py tell the truth."""
import json
import logging
import os
import os.path as osp
import re
import shutil
import signal
import subprocess
import textwrap
import uuid

import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from mmpixdepth.engine import CheckInvalidLossHook, check_checkpoint_file, find_resume_checkpoint
from mmpixdepth.utils import load_config
from helpers import SEG_CONFIG, as_cli, run_log, seg_options

ITERS_PER_EPOCH = 2  # 8 training images, batch 4


@pytest.fixture
def log_messages():
    """Messages logged to mmengine's current logger from now on (a new logger becomes it)."""
    logger = MMLogger.get_instance(f'test_{uuid.uuid4().hex}')
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    yield lambda: [record.getMessage() for record in records]
    logger.removeHandler(handler)


def copy_without_last_checkpoint(seg_run, dst):
    shutil.copytree(seg_run, dst, ignore=shutil.ignore_patterns('last_checkpoint'))
    return str(dst)


def truncated_copy(src, dst):
    with open(src, 'rb') as f:
        data = f.read()
    with open(dst, 'wb') as f:
        f.write(data[:len(data) // 2])


def train(tool, repo_root, work_dir, tiny_rgbd, max_epochs, *args, **options):
    tool('tools/train.py').main([
        osp.join(repo_root, SEG_CONFIG), '--work-dir', str(work_dir), *args, '--cfg-options',
        *as_cli(dict(seg_options(tiny_rgbd, max_epochs), **options))])


def test_resume_without_last_checkpoint_picks_the_newest_complete_one(
        seg_run, tool, tiny_rgbd, repo_root, tmp_path, log_messages):
    work = copy_without_last_checkpoint(seg_run, tmp_path / 'work')
    truncated_copy(osp.join(work, 'epoch_2.pth'), osp.join(work, 'epoch_3.pth'))
    kept = {name: open(osp.join(work, name), 'rb').read() for name in ('epoch_1.pth',
                                                                         'epoch_2.pth')}
    assert find_resume_checkpoint(work) == osp.join(work, 'epoch_2.pth')
    assert any('not resuming from' in m and 'epoch_3.pth is truncated' in m
               for m in log_messages())
    train(tool, repo_root, work, tiny_rgbd, 3, '--resume')
    third = _load_checkpoint(osp.join(work, 'epoch_3.pth'))['meta']
    assert (third['epoch'], third['iter']) == (3, 3 * ITERS_PER_EPOCH)
    for name, data in kept.items():  # resumed, so the earlier checkpoints were not rewritten
        assert open(osp.join(work, name), 'rb').read() == data, name


def test_last_checkpoint_wins_and_may_name_a_moved_work_dir(seg_run, tmp_path):
    work = copy_without_last_checkpoint(seg_run, tmp_path / 'work')
    with open(osp.join(work, 'last_checkpoint'), 'w') as f:
        f.write('/old/place/of/the/work_dir/epoch_1.pth')  # written before the dir was moved
    assert find_resume_checkpoint(work) == osp.join(work, 'epoch_1.pth')


def test_resume_without_a_complete_checkpoint_stops_with_an_error(tool, tiny_rgbd, repo_root,
                                                                  tmp_path, seg_run):
    with pytest.raises(SystemExit, match=r'--resume: no complete checkpoint in the work dir '
                       + str(tmp_path / 'empty')):
        train(tool, repo_root, tmp_path / 'empty', tiny_rgbd, 1, '--resume')
    os.makedirs(tmp_path / 'broken')
    truncated_copy(osp.join(seg_run, 'epoch_1.pth'), tmp_path / 'broken' / 'epoch_1.pth')
    with pytest.raises(SystemExit, match='no complete checkpoint'):
        train(tool, repo_root, tmp_path / 'broken', tiny_rgbd, 1, '--resume')
    assert os.listdir(tmp_path / 'broken') == ['epoch_1.pth']  # nothing trained, nothing written


KILLED_SAVE = textwrap.dedent('''
    """Train 2 epochs; the process is killed (SIGXFSZ) while it writes epoch 2."""
    import json, resource, signal, sys
    from mmengine.hooks import Hook
    from mmengine.runner import Runner
    from mmpixdepth.utils import load_config

    class DieDuringSave(Hook):
        def before_save_checkpoint(self, runner, checkpoint):
            if checkpoint['meta']['epoch'] == 2:  # die 4 MiB into the file (of about 14)
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
                signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it by default
                resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, resource.RLIM_INFINITY))

    config, work_dir, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    runner = Runner.from_cfg(load_config(config, options, work_dir))
    runner.register_hook(DieDuringSave())
    runner.train()
''')


def test_kill_during_a_save_keeps_the_previous_checkpoint_and_resume_picks_it(
        tiny_rgbd, tool, python, repo_root, tmp_path):
    work = str(tmp_path / 'work')
    options = dict(seg_options(tiny_rgbd, 2), **{'default_hooks.checkpoint.max_keep_ckpts': 1,
                                                  'default_hooks.checkpoint.save_best': 'mIoU'})
    out = subprocess.run([python, '-c', KILLED_SAVE, osp.join(repo_root, SEG_CONFIG), work,
                          json.dumps(options)], cwd=repo_root, capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == -signal.SIGXFSZ, out.stderr[-3000:]
    names = os.listdir(work)
    assert 'epoch_1.pth' in names and 'epoch_2.pth' not in names, names
    assert 'best_mIoU_epoch_1.pth' in names, names
    check_checkpoint_file(osp.join(work, 'epoch_1.pth'))  # complete: kept until epoch 2 is saved
    stale = [n for n in names if re.fullmatch(r'\.epoch_2\.pth\.[0-9a-f]{12}\.tmp', n)]
    assert len(stale) == 1, names  # the killed save's temporary file
    for other in ('notes.tmp', '.epoch_2.pth.tmp'):  # not of this project's pattern: kept
        open(osp.join(work, other), 'w').close()
    os.remove(osp.join(work, 'last_checkpoint'))
    train(tool, repo_root, work, tiny_rgbd, 2, '--resume',
          **{'default_hooks.checkpoint.max_keep_ckpts': 1})
    names = os.listdir(work)
    assert stale[0] not in names and {'notes.tmp', '.epoch_2.pth.tmp'} <= set(names)
    assert f'deleted 1 temporary file(s) of interrupted saves from {work}: {stale[0]}' in \
        run_log(work)
    second = _load_checkpoint(osp.join(work, 'epoch_2.pth'))['meta']
    assert (second['epoch'], second['iter']) == (2, 2 * ITERS_PER_EPOCH)
    assert not osp.exists(osp.join(work, 'epoch_1.pth'))  # max_keep_ckpts=1, after the save


def test_a_fresh_run_refuses_to_overwrite_checkpoints(seg_run, tool, tiny_rgbd, repo_root,
                                                      tmp_path):
    work = copy_without_last_checkpoint(seg_run, tmp_path / 'work')
    before = {name: os.stat(osp.join(work, name)).st_mtime_ns
              for name in ('epoch_1.pth', 'epoch_2.pth')}
    with pytest.raises(RuntimeError, match=r'already holds checkpoints \(epoch_1\.pth, '
                       r'epoch_2\.pth\) that this run, which starts from scratch, would '
                       r'overwrite\. Continue that run with --resume'):
        train(tool, repo_root, work, tiny_rgbd, 1)
    assert {name: os.stat(osp.join(work, name)).st_mtime_ns for name in before} == before


def test_resuming_an_older_checkpoint_warns_about_the_later_ones(seg_run, tiny_rgbd, repo_root,
                                                                 tmp_path):
    work = copy_without_last_checkpoint(seg_run, tmp_path / 'work')
    cfg = load_config(osp.join(repo_root, SEG_CONFIG), seg_options(tiny_rgbd, 2), work_dir=work)
    cfg.update(resume=True, load_from=osp.join(work, 'epoch_1.pth'))
    runner = Runner.from_cfg(cfg)
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    runner.logger.addHandler(handler)
    runner.train()
    assert any('resumed at epoch 1: the later checkpoints epoch_2.pth' in r.getMessage()
               and 'will be overwritten' in r.getMessage() for r in records)


@pytest.fixture
def idle_runner(tiny_rgbd, repo_root, tmp_path):
    """A Runner of the segmentation config (never trained) and its work dir."""
    work = str(tmp_path / 'idle')
    cfg = load_config(osp.join(repo_root, SEG_CONFIG), seg_options(tiny_rgbd, 1), work_dir=work)
    return Runner.from_cfg(cfg), work


def test_invalid_loss_message_names_a_complete_checkpoint_or_says_there_is_none(
        idle_runner, seg_run):
    runner, work = idle_runner
    hook = CheckInvalidLossHook()
    nan = dict(loss=torch.tensor(float('nan')))
    with pytest.raises(FloatingPointError, match=f'{work} holds no complete checkpoint yet, so '
                       'there is nothing to resume') as info:
        hook.after_train_iter(runner, 0, outputs=nan)
    assert 'intact' not in str(info.value)
    truncated_copy(osp.join(seg_run, 'epoch_1.pth'), osp.join(work, 'epoch_1.pth'))
    with pytest.raises(FloatingPointError, match='holds no complete checkpoint yet'):
        hook.after_train_iter(runner, 0, outputs=nan)
    shutil.copy(osp.join(seg_run, 'epoch_1.pth'), osp.join(work, 'epoch_1.pth'))
    with pytest.raises(FloatingPointError, match=f'{work}/epoch_1.pth is complete '
                       r'\(--resume continues from it\)'):
        hook.after_train_iter(runner, 0, outputs=nan)


def test_test_tool_on_a_frozen_config_needs_no_training_data(seg_run, tool, tiny_rgbd,
                                                             repo_root, tmp_path):
    data = str(tmp_path / 'data')
    shutil.copytree(tiny_rgbd, data, ignore=lambda folder, names: ['train'])
    assert not osp.exists(osp.join(data, 'images', 'train'))
    out = str(tmp_path / 'metrics.json')
    frozen = tmp_path / 'frozen.py'  # the frozen form of seg_run's narrow config
    frozen.write_text(f'_base_ = [{osp.join(repo_root, SEG_CONFIG)!r}]\n'
                      'model = dict(backbone=dict(frozen_stages=4, norm_eval=True, init_cfg=dict('
                      "type='PretrainedBackbone', checkpoint=None)))\n")
    tool('tools/test.py').main([
        str(frozen), osp.join(seg_run, 'epoch_2.pth'), '--work-dir',
        str(tmp_path / 'test'), '--metrics-out', out, '--cfg-options',
        *as_cli(seg_options(data, 1))])
    with open(out) as f:
        assert '"mIoU"' in f.read()


def test_early_stopping_still_checks_the_train_loop_when_training(idle_runner):
    from mmpixdepth.engine import EarlyStoppingHookShim
    runner, _ = idle_runner
    hook = EarlyStoppingHookShim(monitor='mIoU')
    hook.before_run(runner)  # a test-only run: the train loop is not built
    assert not hasattr(runner._train_loop, 'stop_training')
    hook.before_train(runner)
    assert runner.train_loop.stop_training is False
