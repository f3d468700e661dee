"""The transfer benchmark (quick start and evidence): configs, tables, and a real tiny run."""
import json
import math
import os
import os.path as osp
import re
import subprocess

import pytest

from mmpixdepth.analysis.transfer import (format_table, load_benchmark, select_methods, slug,
                                          stage_configs, summarize)

QUICK = 'configs/benchmarks/transfer_synthetic_quickstart.py'
EVIDENCE = 'configs/benchmarks/transfer_synthetic_3seeds.py'


@pytest.mark.parametrize('bench_file', [QUICK, EVIDENCE])
def test_benchmark_configs_build_every_stage(bench_file, repo_root, tmp_path, monkeypatch):
    """Every option of every method is a real key of its config (strict merge) and the
    checkpoint of the pretraining reaches the fine-tuning encoder."""
    monkeypatch.chdir(repo_root)
    bench = load_benchmark(bench_file)
    for method in bench.methods:
        for seed in bench.seeds:
            ckpt = 'ckpt.pth' if method.get('pretrain') else None
            pre, fine = stage_configs(bench, method, seed, str(tmp_path), ckpt)
            root = osp.join(str(tmp_path), f'seed{seed}', slug(method['name']))
            assert fine.work_dir == osp.join(root, 'finetune')
            assert fine.randomness.seed == seed
            assert fine.train_cfg.max_epochs == 6
            assert fine.default_hooks.checkpoint.save_best is None
            if pre is not None:
                assert pre.randomness.seed == seed and pre.train_cfg.max_epochs == 3
                assert pre.param_scheduler[1].end == 3
                assert fine.model.backbone.init_cfg.checkpoint == 'ckpt.pth'
                assert fine.model.backbone.frozen_stages == 4
    names = [m['name'] for m in bench.methods]
    if bench_file == EVIDENCE:
        assert bench.seeds == [0, 1, 2]
        assert names == ['PixDepth', 'PixDepth 1-thr', 'PixPro', 'random init', 'supervised']
        _, sup = stage_configs(bench, bench.methods[-1], 0, str(tmp_path))
        assert sup.model.backbone.get('frozen_stages', -1) == -1  # trained on the labels
        pre, _ = stage_configs(bench, bench.methods[1], 0, str(tmp_path))
        assert (pre.model.dist_thr, pre.model.depth_thr) == (0.5, 0.3)
    else:
        assert names == ['PixDepth', 'PixPro', 'random init']


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize('body, message', [
    ("seeds = [0]\nmethods = []\n", 'missing key "finetune"'),
    ("seeds = [0]\nfinetune = dict(options={})\nmethods = []\n", 'finetune has no "config"'),
    ("seeds = [0]\nfinetune = dict(config='x.py')\nmethods = [dict(name='a', pretrian='p.py')]\n",
     'methods[0]'),
    ("seeds = [0]\nfinetune = dict(config='x.py')\n"
     "methods = [dict(name='A b'), dict(name='a-b')]\n", 'must differ'),
])
def test_bad_benchmark_configs(body, message, tmp_path):
    path = _write(tmp_path / 'bench.py', body)
    with pytest.raises((KeyError, ValueError), match=re.escape(message)):
        load_benchmark(path)


def test_select_methods(repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    bench = load_benchmark(EVIDENCE)
    assert [m['name'] for m in select_methods(bench, ['PixPro', 'PixDepth'])] == [
        'PixDepth', 'PixPro']
    with pytest.raises(KeyError, match='unknown method'):
        select_methods(bench, ['BYOL'])


def test_summarize_mean_and_sample_std():
    runs = [dict(method='A', seed=s, metrics={'mIoU': v, 'IoU.x': x})
            for s, v, x in [(0, 10.0, 1.0), (1, 20.0, math.nan), (2, 30.0, 3.0)]]
    runs.append(dict(method='B', seed=0, metrics={'mIoU': 5.0, 'IoU.x': 2.0}))
    rows = summarize(runs, ['A', 'B'])
    assert rows[0]['seeds'] == [0, 1, 2]
    assert rows[0]['stats']['mIoU'] == pytest.approx((20.0, 10.0, 3))
    assert rows[0]['stats']['IoU.x'] == pytest.approx((2.0, math.sqrt(2.0), 2))  # NaN left out
    assert rows[1]['stats']['mIoU'] == (5.0, 0.0, 1)
    table = format_table(rows).splitlines()
    assert table[0] == '| method | seeds | mIoU | x |'
    assert table[2] == '| A | 3 | 20.00 ± 10.00 | 2.00 ± 1.41 |'
    assert table[3] == '| B | 1 | 5.00 | 2.00 |'


def test_benchmark_tool_end_to_end(tiny_rgbd, tmp_path, python, repo_root):
    """Two methods through the real tool: pretraining, frozen fine-tuning, test, table, figure;
    a second run reuses every finished run."""
    pretrain = osp.join(repo_root, 'configs/pixdepth_r18_1xb16-5e_synthetic-96x96.py')
    finetune = osp.join(repo_root, 'configs/deeplabv3_r18-frozen_1xb8-20e_synthetic-128x128.py')
    bench = _write(tmp_path / 'bench.py', f"""
_base_ = '{osp.join(repo_root, QUICK)}'
methods = [
    dict(name='PixDepth', pretrain='{pretrain}'),
    dict(name='random init', finetune_options={{'model.backbone.init_cfg': None}}),
]
finetune = dict(config='{finetune}')
pretrain_options = {{'train_cfg.max_epochs': 1, 'param_scheduler.1.T_max': 1,
    'param_scheduler.1.end': 2, 'train_dataloader.batch_size': 4,
    'train_dataloader.num_workers': 0, 'train_dataloader.persistent_workers': False}}
_loaders = {{f'{{k}}_dataloader.{{o}}': v for k in ('train', 'val', 'test')
            for o, v in (('num_workers', 0), ('persistent_workers', False))}}
finetune.update(options={{'train_cfg.max_epochs': 1, 'param_scheduler.0.end': 1,
                          'train_dataloader.batch_size': 4, **_loaders}})
similarity = dict(split='val', num_images=1)
""")
    out_dir = str(tmp_path / 'out')
    cmd = [python, 'tools/analysis_tools/benchmark_transfer.py', bench, '--out-dir', out_dir,
           '--data-root', tiny_rgbd]
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    first = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True, timeout=600,
                           env=env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert 'PixDepth pretraining (seed 0): iter 2/2' in first.stdout
    assert '| method | seeds | mIoU | background | disc | box | triangle | ring | cross |' \
        in first.stdout
    with open(osp.join(out_dir, 'runs.json')) as f:
        runs = json.load(f)
    assert [r['method'] for r in runs] == ['PixDepth', 'random init']
    for run in runs:
        assert 0 <= run['metrics']['mIoU'] <= 100
        assert {'IoU.background', 'IoU.cross'} <= set(run['metrics'])
        assert osp.isfile(run['finetune_checkpoint'])
    assert runs[0]['pretrain_checkpoint'].endswith(osp.join('seed0', 'pixdepth', 'pretrain',
                                                            'epoch_1.pth'))
    assert runs[1]['pretrain_checkpoint'] is None
    assert osp.isfile(osp.join(out_dir, 'results.md'))
    figures = [f for f in os.listdir(out_dir) if f.startswith('similarity_')]
    assert figures == ['similarity_00000.png']
    # the run logs are in each run's folder, not on the console
    assert 'Config:' not in first.stdout
    logs = [osp.join(dp, f) for dp, _, fs in os.walk(osp.join(out_dir, 'seed0')) for f in fs
            if f.endswith('.log')]
    assert len(logs) == 3 and any('Epoch(train)' in open(p).read() for p in logs)

    second = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True, timeout=600,
                            env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.stdout.count('done before') == 3
    with open(osp.join(out_dir, 'runs.json')) as f:
        assert json.load(f) == runs

    # a run killed after its last checkpoint (no result.json yet) resumes and is evaluated
    run_dir = osp.join(out_dir, 'seed0', 'random-init', 'finetune')
    os.remove(osp.join(run_dir, 'result.json'))
    third = subprocess.run(cmd + ['--methods', 'random init'], cwd=repo_root,
                           capture_output=True, text=True, timeout=600, env=env)
    assert third.returncode == 0, third.stderr[-3000:]
    with open(osp.join(run_dir, 'result.json')) as f:
        assert json.load(f)['metrics'] == runs[1]['metrics']
    logs = sorted(osp.join(dp, f) for dp, _, fs in os.walk(run_dir) for f in fs
                  if f.endswith('.log'))
    assert len(logs) == 2 and 'resumed epoch: 1' in open(logs[-1]).read()


def test_benchmark_tool_rejects_an_unknown_method(tmp_path, python, repo_root):
    out = subprocess.run([python, 'tools/analysis_tools/benchmark_transfer.py', QUICK,
                          '--methods', 'MoCo', '--out-dir', str(tmp_path)],
                         cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert out.returncode != 0 and "unknown method(s) ['MoCo']" in out.stderr
