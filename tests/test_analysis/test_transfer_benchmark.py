"""The transfer benchmark (quick start and evidence): configs, tables, and a real tiny run."""
import glob
import json
import math
import os
import os.path as osp
import re

import pytest
from PIL import Image
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS

from helpers import REPO, head_kind, load_tool
from mmpixdepth.analysis.similarity_maps import split_items
from mmpixdepth.analysis.transfer import (claim_work_dir, fingerprint, format_difference,
                                          format_report, format_summary, format_table,
                                          learnability_verdict, load_benchmark,
                                          paired_difference, probe_config, run_method,
                                          select_methods, slug, stage_configs, summarize)
from mmpixdepth.analysis.transfer import runs as transfer_runs

QUICK = 'benchmarks/transfer_synthetic_quickstart.py'
BF16 = 'benchmarks/transfer_synthetic2000_bf16.py'
SEEDS5 = 'benchmarks/transfer_synthetic_5seeds.py'
SEEDS2000 = 'benchmarks/transfer_synthetic2000_5seeds.py'


@pytest.mark.parametrize('bench_file', sorted(
    osp.relpath(p, REPO) for p in glob.glob(osp.join(REPO, 'benchmarks', '*.py'))))
def test_every_benchmark_file_merges_its_options_strictly(bench_file, tmp_path, monkeypatch):
    """Each method's stage configs of every benchmark file: every option is a key of its config
    (a misspelt key is an error here, not hours into a run)."""
    monkeypatch.chdir(REPO)
    bench = load_benchmark(bench_file)
    fold = (bench.get('folds') or [None])[0]
    for method in bench.methods:
        pre, fine = stage_configs(bench, method, bench.seeds[0], str(tmp_path), fold=fold)
        assert (pre is not None) == bool(method.get('pretrain')), method['name']


@pytest.mark.parametrize('bench_file', [QUICK, BF16, SEEDS5, SEEDS2000])
def test_benchmark_configs_build_every_stage(bench_file, repo_root, tmp_path, monkeypatch):
    """Every option of every method is a real key of its config (strict merge); pretrained
    methods differ from their baselines where they should."""
    monkeypatch.chdir(repo_root)
    MessageHub.get_current_instance().update_info('max_iters', 10)  # for the momentum encoder
    bench = load_benchmark(bench_file)
    probe = probe_config(bench, 0)
    assert probe.model.backbone.base_channels == 16
    pretrain = {}
    for method in bench.methods:
        for seed in bench.seeds:
            pre, fine = stage_configs(bench, method, seed, str(tmp_path))
            root = osp.join(str(tmp_path), f'seed{seed}', slug(method['name']))
            if pre is not None:
                assert pre.randomness.seed == seed
                assert pre.work_dir == osp.join(root, 'pretrain')
                # the pretrained encoder is the probed one
                for key in ('depth', 'base_channels', 'strides', 'dilations'):
                    assert pre.model.backbone[key] == probe.model.backbone[key]
                with DefaultScope.overwrite_default_scope('mmpretrain'):
                    pretrain[method['name']] = MODELS.build(pre.model)
            if method.get('finetune_config'):  # the supervised reference: trained end to end
                assert fine.model.backbone.get('frozen_stages', -1) == -1
                assert fine.randomness.seed == seed
            else:
                assert fine is None
    pixdepth, twin = pretrain['PixDepth'], pretrain['PixContrast']
    assert type(pixdepth).__name__ == 'PixDepth' and head_kind(pixdepth) == 'contrast'
    assert type(twin).__name__ == 'PixContrast' and head_kind(twin) == 'contrast'
    assert not twin.uses_depth and pixdepth.groups == [(t, t) for t, _ in twin.groups]
    assert ('PixDepth', 'PixContrast') in bench.compare
    pre, _ = stage_configs(bench, bench.methods[0], 0, str(tmp_path))
    wrapper = 'AutocastOptimWrapper' if bench_file in (QUICK, BF16) else 'OptimWrapper'
    assert pre.optim_wrapper.type == wrapper
    assert probe_config(bench, 0).optim_wrapper.type == wrapper
    if bench_file == QUICK:  # sized for 20 minutes: 15 epochs (930 iterations), no supervised
        assert pre.train_cfg.max_epochs == 15 and pre.param_scheduler[1].end == 15
        assert pre.param_scheduler[1].T_max == 14.5 and pre.param_scheduler[0].end == 0.5
        assert [m['name'] for m in bench.methods] == ['PixDepth', 'PixContrast', 'random init']
        assert not bench.learnability
        # the random encoder's probe is the 25-epoch protocol's (same fingerprint)
        assert (fingerprint(probe_config(bench, 0, bench.methods[2]))
                == fingerprint(probe_config(load_benchmark(BF16), 0, bench.methods[2])))
    else:
        assert bench.learnability.min == 50
    if bench_file in (BF16, SEEDS2000):  # 2000 images: 20 supervised epochs (2500 iterations)
        supervised = next(m for m in bench.methods if m.get('finetune_config'))
        _, fine = stage_configs(bench, supervised, 0, str(tmp_path))
        assert fine.train_cfg.max_epochs == 20 and fine.param_scheduler[0].end == 20
        # both pretrain 25 epochs (1550 iterations); BF16 in bfloat16 autocast
        assert pre.train_cfg.max_epochs == 25 and pre.param_scheduler[1].end == 25
        assert pre.param_scheduler[1].T_max == 24.5
        assert fine.optim_wrapper.type == wrapper
        assert probe_config(bench, 0, supervised).optim_wrapper.type == wrapper
    if bench_file in (SEEDS5, SEEDS2000):
        assert len(bench.seeds) >= 5
        assert head_kind(pretrain['PixPro']) == 'propagation'
        assert not pretrain['PixPro'].uses_depth
        assert head_kind(pretrain['PixDepth propagation']) == 'propagation'
        assert pretrain['PixDepth 1-thr'].groups == [(0.5, 0.3)]
        assert pretrain["PixDepth multi-T'"].groups == [(0.5, 0.3), (0.5, 0.5), (0.5, 0.7)]


LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
KFOLD = 'benchmarks/depthcontrast_synthetic3dpm_kfold.py'


@pytest.mark.parametrize('bench_file, data_root', [
    (QUICK, 'data/synthetic_rgbd_2000'), (BF16, 'data/synthetic_rgbd_2000'),
    (SEEDS5, 'data/synthetic_rgbd'),
    (SEEDS2000, 'data/synthetic_rgbd_2000'), (KFOLD, 'data/synthetic_3dpm')])
@pytest.mark.parametrize('override', [None, 'elsewhere/data'])
def test_data_root_reaches_every_stage(bench_file, data_root, override, repo_root, tmp_path,
                                       monkeypatch):
    """The benchmark's data_root (or the one given to load_benchmark, as --data-root does) is
    the data_root of every dataloader of every pretraining, probe and fine-tuning."""
    monkeypatch.chdir(repo_root)
    bench = load_benchmark(bench_file, data_root=override)
    expected = override or data_root
    assert bench.data_root == expected
    fold = bench.folds[0] if 'folds' in bench else None
    roots = []
    if 'probe' in bench:
        probe = probe_config(bench, 0)
        roots += [probe[loader].dataset.data_root for loader in LOADERS]
    for method in bench.methods:
        pre, fine = stage_configs(bench, method, 0, str(tmp_path), fold=fold)
        if pre is not None:
            roots.append(pre.train_dataloader.dataset.data_root)
        if fine is not None:
            roots += [fine[loader].dataset.data_root for loader in LOADERS]
    assert len(roots) > len(LOADERS) and set(roots) == {expected}


def test_fingerprint_names_the_configuration(repo_root, tmp_path, monkeypatch):
    """Same configuration, same fingerprint (whatever the work dir); any option changes it."""
    monkeypatch.chdir(repo_root)
    bench = load_benchmark(QUICK)
    pre, _ = stage_configs(bench, bench.methods[0], 0, str(tmp_path / 'a'))
    moved, _ = stage_configs(bench, bench.methods[0], 0, str(tmp_path / 'b'))
    assert pre.work_dir != moved.work_dir and fingerprint(pre) == fingerprint(moved)
    other = load_benchmark(QUICK)
    other.pretrain_options['train_cfg.max_epochs'] = 21
    changed, _ = stage_configs(other, other.methods[0], 0, str(tmp_path / 'a'))
    assert fingerprint(changed) != fingerprint(pre)
    assert fingerprint(pre, encoder='random') != fingerprint(pre, encoder='../x.pth')
    # a hook that only checks the run leaves it out; any other hook does not
    checked = pre.copy()
    checked.custom_hooks = [h for h in pre.custom_hooks if h.type != 'CheckWeightsFitHook']
    assert len(checked.custom_hooks) == len(pre.custom_hooks) - 1
    assert fingerprint(checked) == fingerprint(pre)
    checked.custom_hooks = checked.custom_hooks + [dict(type='EMAHook')]
    assert fingerprint(checked) != fingerprint(pre)


def test_claim_work_dir_refuses_runs_of_another_configuration(tmp_path):
    """A work dir is reused only by the configuration that made it; one made by another, or
    holding files of an unknown one (no fingerprint), is an error naming the folder."""
    run = tmp_path / 'run'
    claim_work_dir(str(run), 'abc')  # new: recorded
    (run / 'result.json').write_text('{}')
    claim_work_dir(str(run), 'abc')  # the same configuration again: fine
    with pytest.raises(ValueError, match=re.escape(f'{run} holds a run of another configuration')):
        claim_work_dir(str(run), 'abd')
    legacy = tmp_path / 'legacy'
    legacy.mkdir()
    (legacy / 'epoch_1.pth').write_bytes(b'')
    with pytest.raises(ValueError, match=re.escape(f'{legacy} holds files but no')):
        claim_work_dir(str(legacy), 'abc')
    assert not (legacy / 'config_fingerprint.json').exists()


def _write(path, text):
    path.write_text(text)
    return str(path)


def test_probe_of_a_fold_reads_the_fold_splits(repo_root, tmp_path, monkeypatch):
    """With ``folds``, the probe config reads the fold's split files and the probe's work dir
    is the fold's, so that each fold probes its own split."""
    monkeypatch.chdir(repo_root)
    config = 'configs/depthcontrast/benchmarks/resnet18-w16_1xb16-30e_synthetic3dpm.py'
    bench = load_benchmark(_write(tmp_path / 'bench.py', f"""
seeds = [0]
folds = [0, 1]
probe = dict(config='{config}')
methods = [dict(name='random init')]
"""))
    splits = [f'splits/fold1/{split}.txt' for split in ('train', 'val', 'test')]
    cfg = probe_config(bench, 0, fold=1)
    assert [cfg[loader].dataset.ann_file for loader in LOADERS] == splits
    probed = []
    monkeypatch.setattr(transfer_runs, 'load_encoder', lambda cfg, checkpoint, seed: checkpoint)
    monkeypatch.setattr(transfer_runs, 'probe_encoder',
                        lambda encoder, cfg, seed: probed.append(cfg) or {'linear mIoU': 1.0})
    out_dir = tmp_path / 'out'
    for fold in bench.folds:
        run = run_method(bench, bench.methods[0], 0, str(out_dir), '[1/2]', fold)
        assert run['fold'] == fold and run['encoder_checkpoint'] == 'random'
        probe_dir = out_dir / 'seed0' / f'fold{fold}' / 'random-init' / 'probe'
        assert (probe_dir / 'result.json').is_file()
    assert [probed[1][loader].dataset.ann_file for loader in LOADERS] == splits
    assert probed[0].test_dataloader.dataset.ann_file == 'splits/fold0/test.txt'


def test_similarity_images_are_read_as_the_config_reads_its_split(tiny_rgbd, repo_root,
                                                                   monkeypatch):
    """The images, labels and depth of the similarity figures are the first samples of the
    split's dataset as the config in use gives it (data_root, data_prefix)."""
    monkeypatch.chdir(repo_root)
    cfg = probe_config(load_benchmark(QUICK, data_root=tiny_rgbd), 0)
    dataset = cfg.val_dataloader.dataset
    dataset.data_prefix = dict(img_path='images/train', seg_map_path='annotations/train')
    dataset.depth_prefix = 'depth/train'
    items = split_items(cfg, 'val', 3)
    names = sorted(os.listdir(osp.join(tiny_rgbd, 'images', 'train')))[:3]
    assert items == [{key: osp.join(tiny_rgbd, folder, 'train', name)
                      for key, folder in (('img_path', 'images'), ('seg_map_path', 'annotations'),
                                          ('depth_path', 'depth'))} for name in names]


@pytest.mark.parametrize('body, message', [
    ("seeds = [0]\nfinetune = dict(config='x.py')\n", 'missing key "methods"'),
    ("seeds = [0]\nmethods = []\n", 'exactly one of "finetune"'),
    ("seeds = [0]\nfinetune = dict(config='x.py')\nprobe = dict(config='x.py')\nmethods = []\n",
     'exactly one of "finetune"'),
    ("seeds = [0]\nfinetune = dict(options={})\nmethods = []\n", 'finetune has no "config"'),
    ("seeds = [0]\nprobe = dict(config='x.py', head=['linear'])\nmethods = []\n",
     "unknown probe key(s) ['head']"),
    ("seeds = [0]\nfinetune = dict(config='x.py')\nmethods = [dict(name='a', pretrian='p.py')]\n",
     'methods[0]'),
    ("seeds = [0]\nfinetune = dict(config='x.py')\n"
     "methods = [dict(name='A b'), dict(name='a-b')]\n", 'must differ'),
    ("seeds = [0]\nprobe = dict(config='x.py')\nmethods = [dict(name='a')]\n"
     "compare = [('a', 'b')]\n", 'compare entries'),
    ("seeds = [0]\nprobe = dict(config='x.py')\nmethods = [dict(name='a')]\n"
     "learnability = dict(method='a', metric='mIoU')\n", 'learnability needs'),
])
def test_bad_benchmark_configs(body, message, tmp_path):
    path = _write(tmp_path / 'bench.py', body)
    with pytest.raises((KeyError, ValueError), match=re.escape(message)):
        load_benchmark(path)


def test_select_methods(repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    bench = load_benchmark(SEEDS5)
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


def test_paired_difference_and_its_confidence_interval():
    runs = [dict(method=m, seed=s, metrics={'linear mIoU': v})
            for m, values in (('A', [11., 14., 10., 20.]), ('B', [10., 12., 7., 30.]))
            for s, v in enumerate(values)]
    runs = [r for r in runs if not (r['method'] == 'A' and r['seed'] == 3)]  # B's seed 3 alone
    diff = paired_difference(runs, 'A', 'B', 'linear mIoU')
    assert diff['diffs'] == [1., 2., 3.] and diff['n'] == 3
    assert diff['mean'] == pytest.approx(2.) and diff['std'] == pytest.approx(1.)
    half = 4.302652729911275 / math.sqrt(3)  # t(0.975, 2 degrees of freedom)
    assert diff['ci'] == pytest.approx((2 - half, 2 + half))
    assert format_difference(diff) == ('A - B (linear mIoU): +2.00, 95 % CI [-0.48, +4.48] over '
                                       '3 seeds (paired)')
    one = paired_difference(runs[:1] + runs[3:4], 'A', 'B', 'linear mIoU')
    assert one['ci'] is None
    assert format_difference(one).endswith(' (1 seed: no confidence interval)')


@pytest.mark.parametrize('diffs', [[1., 2., 3.], [0.5, -1.25, 3.75, 2.], [-7.1, -6.9],
                                   [12.3, 11.8, 13.1, 12.9, 12.0], [2., 2., 2.]])
@pytest.mark.parametrize('confidence', [0.95, 0.9])
def test_confidence_interval_is_the_student_t_interval_of_the_mean(diffs, confidence):
    """``mean ± t(0.5 + confidence / 2, n - 1) * std / sqrt(n)``, as the tables always gave."""
    from scipy.stats import t as student_t
    runs = [dict(method=m, seed=s, metrics={'mIoU': d if m == 'A' else 0.})
            for m in 'AB' for s, d in enumerate(diffs)]
    diff = paired_difference(runs, 'A', 'B', 'mIoU', confidence)
    n = len(diffs)
    half = student_t.ppf(0.5 + confidence / 2, n - 1) * diff['std'] / math.sqrt(n)
    assert diff['ci'] == pytest.approx((diff['mean'] - half, diff['mean'] + half),
                                       rel=1e-12, abs=1e-12)


def test_summary_table_and_learnability_verdict():
    runs = [dict(method='sup', seed=s, metrics={'linear mIoU': v, 'end-to-end mIoU': 60.})
            for s, v in ((0, 40.), (1, 50.))]
    runs.append(dict(method='rand', seed=0, metrics={'linear mIoU': 20.}))
    rows = summarize(runs, ['sup', 'rand'])
    table = format_summary(rows, ['linear mIoU', 'end-to-end mIoU']).splitlines()
    assert table[0] == '| method | seeds | linear mIoU | end-to-end mIoU |'
    assert table[2] == '| sup | 2 | 45.00 ± 7.07 | 60.00 ± 0.00 |'
    assert table[3] == '| rand | 1 | 20.00 | n/a |'
    check = dict(method='sup', metric='linear mIoU', min=50)
    assert learnability_verdict(rows, check).startswith('NOT LEARNED')
    assert learnability_verdict(rows, dict(check, min=45)).startswith('learnability check passed')


def test_report_of_some_methods_leaves_out_what_names_the_others(repo_root, monkeypatch):
    """``--methods`` runs a subset: comparisons and the learnability check naming a method
    outside it are left out of the report instead of printing NaN."""
    monkeypatch.chdir(repo_root)
    bench = load_benchmark(SEEDS5)
    runs = [dict(method=m, seed=s, metrics={'linear mIoU': v + s, 'aspp mIoU': v + 1 + s})
            for m, v in (('PixDepth', 20.), ('PixContrast', 19.), ('PixPro', 13.))
            for s in (0, 1)]
    some = format_report(bench, 'b', runs, ['PixDepth', 'PixContrast', 'PixPro'], [0, 1])
    assert 'nan' not in some and 'NOT LEARNED' not in some and 'learnability' not in some
    assert '- PixDepth - PixContrast (linear mIoU): +1.00' in some
    assert 'PixPro (' not in some  # its twin, PixDepth propagation, did not run
    runs += [dict(method='supervised', seed=s, metrics={'end-to-end mIoU': 28.}) for s in (0, 1)]
    assert 'NOT LEARNED: the supervised reference reaches 28.00' in format_report(
        bench, 'b', runs, ['PixDepth', 'PixContrast', 'supervised'], [0, 1])


TOOL = 'tools/analysis_tools/benchmark_transfer.py'
TINY_PRETRAIN = {'train_cfg.max_epochs': 1, 'param_scheduler.0.end': 1,
                 'param_scheduler.1.begin': 1, 'param_scheduler.1.T_max': 1,
                 'param_scheduler.1.end': 2, 'train_dataloader.batch_size': 4,
                 'train_dataloader.num_workers': 0, 'train_dataloader.persistent_workers': False,
                 'model.neck.hid_channels': 32}
TINY_LOADERS = {f'{k}_dataloader.{o}': v for k in ('train', 'val', 'test')
                for o, v in (('num_workers', 0), ('persistent_workers', False))}


def test_probe_benchmark_end_to_end(tiny_rgbd, tmp_path, repo_root, monkeypatch, capsys):
    """The 2000-image bf16 protocol's benchmark (the quick start's with the supervised reference)
    through the real tool on tiny data: pretraining, end-to-end supervised training, probes of each encoder, tables, paired difference, learnability
    verdict, figure; a second run reuses every finished run."""
    monkeypatch.chdir(repo_root)
    bench = _write(tmp_path / 'bench.py', f"""
_base_ = '{osp.join(repo_root, BF16)}'
pretrain_options = {TINY_PRETRAIN!r}
probe = dict(epochs=dict(linear=2, aspp=1), aspp_channels=8, batch_size=4,
             options={{**{TINY_LOADERS!r}, 'train_cfg.max_epochs': 1, 'train_cfg.val_interval': 1,
                       'param_scheduler.0.end': 1, 'train_dataloader.batch_size': 4}})
similarity = dict(split='val', num_images=1)
""")
    out_dir = str(tmp_path / 'out')
    argv = [bench, '--out-dir', out_dir, '--data-root', tiny_rgbd]
    load_tool(TOOL).main(argv)
    first = capsys.readouterr().out
    assert 'PixDepth pretraining (seed 0): iter 2/2' in first
    assert ('| method | seeds | linear mIoU | aspp mIoU | end-to-end mIoU | linear bIoU | '
            'aspp bIoU | linear fg_mIoU | aspp fg_mIoU | linear edge_mIoU | aspp edge_mIoU |'
            in first)
    assert '| method | seeds | mIoU | background | disc | box | triangle | ring | cross |' in first
    assert re.search(r'PixDepth - PixContrast \(linear mIoU\): [+-]\d+\.\d\d \(1 seed:', first)
    assert re.search(r'PixDepth - PixContrast \(aspp bIoU\): [+-]\d+\.\d\d \(1 seed', first)
    assert 'NOT LEARNED: the supervised reference reaches' in first  # 1 epoch learns nothing
    with open(osp.join(out_dir, 'runs.json')) as f:
        runs = json.load(f)
    assert [r['method'] for r in runs] == ['PixDepth', 'PixContrast', 'random init',
                                           'supervised']
    for run in runs:
        assert 0 <= run['metrics']['linear mIoU'] <= 100
        assert 0 <= run['metrics']['aspp mIoU'] <= 100
    assert runs[0]['encoder_checkpoint'].endswith(osp.join('seed0', 'pixdepth', 'pretrain',
                                                           'epoch_1.pth'))
    assert runs[2]['encoder_checkpoint'] == 'random'
    assert runs[3]['encoder_checkpoint'].endswith(osp.join('supervised', 'finetune',
                                                           'epoch_1.pth'))
    assert 'end-to-end mIoU' in runs[3]['metrics'] and 'end-to-end mIoU' not in runs[0]['metrics']
    assert [sorted(r['seconds']) for r in runs] == [['pretrain', 'probe'], ['pretrain', 'probe'],
                                                    ['probe'], ['finetune', 'probe']]
    assert 'Time per stage (minutes, mean over runs):' in first
    assert re.search(r'\| random init \| 1 \| - \| - \| \d+\.\d \|', first)
    # the quick start trains in bfloat16 autocast (AutocastOptimWrapper)
    for stage in ('pixdepth/pretrain', 'supervised/finetune'):
        dumped = glob.glob(osp.join(out_dir, 'seed0', stage, '*.py'))
        assert len(dumped) == 1 and "type='AutocastOptimWrapper'" in open(dumped[0]).read()
    assert osp.isfile(osp.join(out_dir, 'results.md'))
    assert [f for f in os.listdir(out_dir) if f.startswith('similarity_')] == [
        'similarity_00000.png']
    assert 'Config:' not in first  # run logs go to each run's folder

    load_tool(TOOL).main(argv)
    second = capsys.readouterr().out
    assert second.count('done before') == 7  # 2 pretrainings, 1 supervised training, 4 probes
    with open(osp.join(out_dir, 'runs.json')) as f:
        assert json.load(f) == runs

    # an edited benchmark (other probe epochs) does not reuse the probes of the first one: a
    # probe holds no training worth keeping, so it is redone; the trainings are reused
    with open(bench, 'a') as f:
        f.write("probe['epochs'] = dict(linear=3, aspp=1)\n")
    load_tool(TOOL).main(argv)
    third = capsys.readouterr().out
    assert third.count('probing again') == 4 and third.count('done before') == 3
    with open(osp.join(out_dir, 'runs.json')) as f:
        assert [r['metrics'] for r in json.load(f)] != [r['metrics'] for r in runs]
    # ... but a training of another configuration is never reused or overwritten
    with open(bench, 'a') as f:
        f.write("pretrain_options['model.head.temperature'] = 0.2\n")
    pretrain_dir = osp.join(out_dir, 'seed0', 'pixdepth', 'pretrain')
    with pytest.raises(ValueError, match=re.escape(f'{pretrain_dir} holds a run of another')):
        load_tool(TOOL).main(argv)


def test_finetune_benchmark_end_to_end(tiny_rgbd, tmp_path, repo_root, monkeypatch, capsys):
    """A DeepLabV3 fine-tuning benchmark: the pretrained checkpoint reaches the frozen encoder;
    a run killed after its last checkpoint (no result.json yet) resumes and is evaluated."""
    monkeypatch.chdir(repo_root)
    pretrain = 'configs/pixdepth/pixdepth_r18_1xb16-5e_synthetic-96x96.py'
    finetune = 'configs/deeplabv3/deeplabv3_r18-frozen_1xb8-20e_synthetic-128x128.py'
    bench = _write(tmp_path / 'bench.py', f"""
seeds = [0]
methods = [
    dict(name='PixDepth', pretrain='{pretrain}'),
    dict(name='random init', finetune_options={{'model.backbone.init_cfg': None}}),
]
pretrain_options = {TINY_PRETRAIN!r}
finetune = dict(config='{finetune}', options={{**{TINY_LOADERS!r}, 'train_cfg.max_epochs': 1,
    'param_scheduler.0.end': 1, 'train_dataloader.batch_size': 4,
    'default_hooks.checkpoint.save_best': None, 'custom_hooks': []}})
""")
    out_dir = str(tmp_path / 'out')
    argv = [bench, '--out-dir', out_dir, '--data-root', tiny_rgbd]
    load_tool(TOOL).main(argv)
    first = capsys.readouterr().out
    assert '| method | seeds | mIoU | background | disc | box | triangle | ring | cross |' in first
    with open(osp.join(out_dir, 'runs.json')) as f:
        runs = json.load(f)
    assert runs[0]['pretrain_checkpoint'].endswith(osp.join('seed0', 'pixdepth', 'pretrain',
                                                            'epoch_1.pth'))
    assert runs[1]['pretrain_checkpoint'] is None
    for run in runs:
        assert 0 <= run['metrics']['mIoU'] <= 100 and osp.isfile(run['encoder_checkpoint'])
    loss_figure = osp.join(out_dir, 'pretrain_loss_seed0.png')  # PixDepth's, the only one
    assert f'wrote {loss_figure}' in first and Image.open(loss_figure).size[0] > 0

    run_dir = osp.join(out_dir, 'seed0', 'random-init', 'finetune')
    os.remove(osp.join(run_dir, 'result.json'))
    load_tool(TOOL).main(argv + ['--methods', 'random init'])
    capsys.readouterr()
    with open(osp.join(run_dir, 'result.json')) as f:
        assert json.load(f)['metrics'] == runs[1]['metrics']
    logs = sorted(osp.join(dp, f) for dp, _, fs in os.walk(run_dir) for f in fs
                  if f.endswith('.log'))
    assert len(logs) == 2 and 'resumed epoch: 1' in open(logs[-1]).read()


def test_benchmark_tool_rejects_an_unknown_method(tmp_path, repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    with pytest.raises(KeyError, match=re.escape("unknown method(s) ['MoCo']")):
        load_tool(TOOL).main([QUICK, '--methods', 'MoCo', '--out-dir', str(tmp_path)])


def test_precision_benchmark_runs_the_quick_start_in_bf16_beside_fp32(repo_root, tmp_path,
                                                                    monkeypatch):
    """Its bf16 methods are the runs of transfer_synthetic2000_bf16.py (same folders and
    fingerprints, so that the same ``--out-dir`` reuses them); its fp32 twins differ by the precision
    alone; a method's precision overrides the benchmark's, ``--precision`` the benchmark's."""
    from mmpixdepth.analysis.transfer import fingerprint
    monkeypatch.chdir(repo_root)
    bench = load_benchmark('benchmarks/precision_synthetic2000_3seeds.py')
    quick = {m['name']: m for m in load_benchmark(BF16).methods}
    methods = {m['name']: m for m in bench.methods}
    assert bench.seeds == [0, 1, 2] and len(bench.compare) == 4
    for a, b in bench.compare:
        assert b == a + ' fp32' and a in quick
        cfgs = {}
        for name in (a, b):
            pre, fine = stage_configs(bench, methods[name], 0, str(tmp_path))
            cfgs[name] = (pre, fine, probe_config(bench, 0, methods[name]))
        quick_cfgs = stage_configs(load_benchmark(BF16), quick[a], 0, str(tmp_path))
        for mine, theirs in zip(cfgs[a][:2], quick_cfgs):
            assert (mine is None and theirs is None) or fingerprint(mine) == fingerprint(theirs)
        for bf16, fp32 in zip(cfgs[a], cfgs[b]):
            if bf16 is None:
                continue
            assert bf16.optim_wrapper.type == 'AutocastOptimWrapper'
            assert fp32.optim_wrapper.type == 'OptimWrapper'
            fp32.optim_wrapper.type = 'AutocastOptimWrapper'
            fp32.work_dir = bf16.work_dir
            assert fingerprint(fp32) == fingerprint(bf16)  # nothing else differs
    assert probe_config(load_benchmark('benchmarks/precision_synthetic2000_3seeds.py',
                                       precision='fp32'),
                        0, methods['random init']).optim_wrapper.type == 'OptimWrapper'
    bad = tmp_path / 'bad.py'
    bad.write_text("_base_ = '%s'\nmethods = [dict(name='x', precision='fp16')]\n"
                   % osp.join(repo_root, 'benchmarks/transfer_synthetic_5seeds.py'))
    with pytest.raises(ValueError, match=r"methods\[0\].precision must be one of \['bf16', "
                       r"'fp32'\], got 'fp16'"):
        load_benchmark(str(bad))
