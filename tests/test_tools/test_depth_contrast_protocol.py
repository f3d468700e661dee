"""Depth Contrast as the paper ran it: ImageNet-initialised encoders, same-position crops without
resize or flip, fixed-range depth, stratified k folds, the authors' fold lists, the k-fold
runner."""
import glob
import json
import os
import os.path as osp
import shutil

import mmpretrain
import numpy as np
import pytest
import torch
import yaml
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope, init_default_scope
from mmpretrain.registry import DATASETS, MODELS, TRANSFORMS

from mmpixdepth.analysis.transfer import load_benchmark, stage_configs
from mmpixdepth.datasets import ThreeDPMDataset, stratified_kfold, write_3dpm_folds
from mmpixdepth.models.utils import PretrainedBackbone
from mmpixdepth.utils import load_config
from helpers import LOAD_3DPM, REPO
from mmpixdepth.datasets.three_dpm import CLASSES

DC = 'configs/depthcontrast'
CONFIGS = sorted(osp.relpath(p, REPO) for p in glob.glob(f'{REPO}/{DC}/**/*.py', recursive=True))
PAPER = {  # pretraining config -> (ImageNet checkpoint in mmpretrain's metafiles, its model)
    f'{DC}/depthcontrast_efficientnet-b2_1xb252-300e_3dpm-224x224.py':
    ('efficientnet', 'efficientnet-b2_3rdparty_8xb32_in1k'),
    f'{DC}/depthcontrast_resnet50_1xb252-300e_3dpm-224x224.py': ('resnet', 'resnet50_8xb32_in1k'),
}
BASELINES = {f'{DC}/benchmarks/efficientnet-b2_1xb16-100e_3dpm.py': PAPER[list(PAPER)[0]],
             f'{DC}/benchmarks/resnet50_1xb16-100e_3dpm.py': PAPER[list(PAPER)[1]]}
IMAGENET_MEAN, IMAGENET_STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
SYNTHETIC = f'{DC}/depthcontrast_resnet18-w16_1xb28-60e_synthetic3dpm-32x32.py'
SYNTHETIC_CLS = f'{DC}/benchmarks/resnet18-w16_1xb16-30e_synthetic3dpm.py'
FIXED_RANGE_CLS = f'{DC}/benchmarks/resnet18-w16_1xb16-30e_synthetic3dpm-fixedrange.py'
NO_INIT = {'model.backbone.init_cfg': None}


def zoo_weights(folder, name):
    """The ``Weights`` URL of model ``name`` in the installed mmpretrain's metafile."""
    path = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'configs', folder, 'metafile.yml')
    with open(path) as f:
        models = yaml.safe_load(f)['Models']
    return next(m['Weights'] for m in models if m['Name'] == name)


# ----------------------------------------------------------------------------- configs


@pytest.mark.parametrize('config', CONFIGS)
def test_every_depth_contrast_config_builds_offline(config):
    cfg = load_config(osp.join(REPO, config), NO_INIT)
    assert cfg.custom_imports.imports == ['mmpixdepth'] and cfg.default_scope == 'mmpretrain'
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
        model.init_weights()  # no download: the encoder's init is overridden
    if '-linear' in osp.basename(config):
        model.train()
        assert all(not p.requires_grad for p in model.backbone.parameters())


@pytest.mark.parametrize('config', list(PAPER) + list(BASELINES))
def test_paper_configs_start_from_the_imagenet_weights_of_the_model_zoo(config, tmp_path):
    """The URL is mmpretrain's; its checkpoint (here one mmpretrain builds from the same
    classifier, saved like the download) loads strictly, with ImageNet input statistics."""
    cfg = load_config(osp.join(REPO, config))
    folder, name = {**PAPER, **BASELINES}[config]
    init = cfg.model.backbone.init_cfg
    assert init.type == 'PretrainedBackbone' and init.checkpoint == zoo_weights(folder, name)
    preprocessor = cfg.model.data_preprocessor
    assert (preprocessor.mean, preprocessor.std) == (IMAGENET_MEAN, IMAGENET_STD)
    classifier = mmpretrain.get_model(name, pretrained=False)
    with torch.no_grad():
        for param in classifier.backbone.parameters():
            param.add_(torch.rand_like(param))
    checkpoint = str(tmp_path / osp.basename(init.checkpoint).replace('-', '_'))
    torch.save(dict(state_dict=classifier.state_dict(), meta=dict()), checkpoint)
    cfg.model.backbone.init_cfg.checkpoint = checkpoint
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    model.init_weights()
    expected = classifier.backbone.state_dict()
    assert model.backbone.state_dict().keys() == expected.keys()
    assert all(torch.equal(v, expected[k]) for k, v in model.backbone.state_dict().items())


def test_unreachable_url_and_missing_file_are_named_with_the_way_out(tmp_path):
    backbone = torch.nn.Conv2d(3, 4, 3)
    url = 'http://127.0.0.1:9/resnet50_in1k.pth'  # nothing listens on port 9
    with pytest.raises(OSError, match=r'cannot download the checkpoint '
                       r'http://127.0.0.1:9/resnet50_in1k.pth.*init_cfg=None'):
        PretrainedBackbone(checkpoint=url)(backbone)
    missing = str(tmp_path / 'in1k.pth')
    with pytest.raises(FileNotFoundError, match=f'cannot read the checkpoint {missing}'):
        PretrainedBackbone(checkpoint=missing)(backbone)


def test_metafile_lists_every_config_once():
    with open(osp.join(REPO, DC, 'metafile.yml')) as f:
        meta = yaml.safe_load(f)
    assert [c['Name'] for c in meta['Collections']] == ['DepthContrast']
    assert osp.isfile(osp.join(REPO, meta['Collections'][0]['README']))
    models = meta['Models']
    assert sorted(m['Config'] for m in models) == CONFIGS
    for model in models:
        assert model['In Collection'] == 'DepthContrast' and 'Weights' in model
        assert model['Name'] == osp.splitext(osp.basename(model['Config']))[0]
        assert {'Epochs', 'Batch Size'} <= set(model['Metadata']) and 'Results' in model


# ----------------------------------------------------------------------------- views


def test_pretraining_views_are_one_same_position_crop_without_resize_or_flip(tiny_3dpm):
    cfg = load_config(osp.join(REPO, SYNTHETIC))
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert [t.type for t in pipeline[3:]] == ['TransformBroadcaster', 'ModalityViews',
                                             'PackInputs']
    pipeline[3].transforms[0].crop_size = 12
    info = ThreeDPMDataset(tiny_3dpm).get_data_info(0)
    init_default_scope('mmpretrain')
    full = Compose([TRANSFORMS.build(t) for t in LOAD_3DPM])(dict(info))
    views = Compose([TRANSFORMS.build(t) for t in pipeline[:-1]])
    offsets = set()
    for seed in range(8):
        np.random.seed(seed)
        depth_view, reflectance_view = views(dict(info))['img']
        assert depth_view.shape == reflectance_view.shape == (12, 12, 3)
        # a window of the full maps, unscaled and unflipped, at one position for both
        found = [(y, x) for y in range(21) for x in range(21)
                 if np.array_equal(full['img'][y:y + 12, x:x + 12], reflectance_view[..., 0])]
        assert len(found) == 1, found
        y, x = found[0]
        np.testing.assert_array_equal(depth_view[..., 0], full['depth'][y:y + 12, x:x + 12])
        offsets.add((y, x))
    assert len(offsets) > 4


def test_classification_trains_on_crops_and_tests_on_the_larger_whole_sample(tiny_3dpm):
    cfg = load_config(osp.join(REPO, SYNTHETIC_CLS))
    init_default_scope('mmpretrain')
    train = DATASETS.build(dict(cfg.train_dataloader.dataset, data_root=tiny_3dpm))
    test = DATASETS.build(dict(cfg.test_dataloader.dataset, data_root=tiny_3dpm))
    assert [t['type'] for t in cfg.train_pipeline[4:]] == ['RandomCrop', 'PackInputs']
    assert train[0]['inputs'].shape == (3, 32, 32)  # the crop size of the 64x64 samples
    assert test[0]['inputs'].shape == (3, 64, 64)  # the whole sample, here upscaled
    paper = load_config(osp.join(REPO, f'{DC}/benchmarks/efficientnet-b2_1xb16-100e_3dpm.py'))
    assert paper.train_pipeline[4] == dict(type='RandomCrop', crop_size=224)
    assert paper.test_pipeline[4].type == 'Resize'
    assert tuple(paper.test_pipeline[4].scale) == (896, 896)


def test_fixed_range_depth_keeps_absolute_height(tiny_3dpm):
    cfg = load_config(osp.join(REPO, FIXED_RANGE_CLS))
    init_default_scope('mmpretrain')
    maps = {}
    for name, pipeline in (('range', cfg.test_pipeline), ('minmax', LOAD_3DPM)):
        dataset = ThreeDPMDataset(tiny_3dpm, pipeline=pipeline[:3], test_mode=True)
        maps[name] = [dataset[i]['depth'] for i in (0, len(dataset) - 1)]  # Aggl, Ore3
    # per image, each map spans [0, 255]; with the fixed range the belt is 255 in both and the
    # particle tops keep their own heights
    assert all(m.min() == 0 and m.max() == 255 for m in maps['minmax'])
    tops = [m[m > 0].min() for m in maps['range']]
    assert all(m.max() > 200 for m in maps['range'])
    assert abs(tops[0] - tops[1]) > 20 and min(tops) > 0


# ----------------------------------------------------------------------------- folds


def test_stratified_kfold_tests_each_sample_once_in_60_20_20_folds():
    labels = np.repeat(np.arange(7), [20, 20, 10, 15, 30, 5, 20])
    folds = stratified_kfold(labels, 5, seed=1)
    tests = np.concatenate([f['test'] for f in folds])
    assert np.array_equal(np.sort(tests), np.arange(len(labels)))  # each once
    for i, fold in enumerate(folds):
        parts = [set(fold[p].tolist()) for p in ('train', 'val', 'test')]
        assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
        assert sum(map(len, parts)) == len(labels)
        assert np.array_equal(fold['val'], folds[(i + 1) % 5]['test'])
        assert np.bincount(labels[fold['test']], minlength=7).tolist() == [4, 4, 2, 3, 6, 1, 4]
    again = stratified_kfold(labels, 5, seed=1)
    assert all(np.array_equal(a['train'], b['train']) for a, b in zip(folds, again))
    assert not np.array_equal(folds[0]['test'], stratified_kfold(labels, 5, seed=2)[0]['test'])
    with pytest.raises(ValueError, match='num_folds must be an integer >= 3'):
        stratified_kfold(labels, 2)


def test_split_tool_writes_k_folds(tiny_3dpm, tmp_path, tool_main):
    root = str(tmp_path / 'copy')
    shutil.copytree(tiny_3dpm, root)
    main = tool_main('dataset_converters/make_3dpm_splits.py')
    assert main([root, '--folds', '5']) == 0
    tests = []
    for fold in range(5):
        lines = {p: open(f'{root}/splits/fold{fold}/{p}.txt').read().split()
                 for p in ('train', 'val', 'test')}
        assert [len(lines[p]) for p in ('train', 'val', 'test')] == [21, 7, 7]
        assert sorted(line.split('/')[0] for line in lines['test']) == sorted(CLASSES)
        tests += lines['test']
    assert len(set(tests)) == 35
    assert main([root, '--folds', '5', '--seed', '1']) == 1  # other files, no --overwrite
    assert main([root, '--folds', '2']) == 1


# ----------------------------------------------------------------------------- fold lists


def write_fold_lists(tiny_3dpm, src, prefix):
    """The authors' layout: Fold_<f>/{X_raw,X_ref,Y}_{train,val,test}.npy, absolute paths
    under ``prefix`` (another machine's data root)."""
    labels = ThreeDPMDataset(tiny_3dpm).get_gt_labels()
    samples = [osp.join(CLASSES[label], f'{i % 5:04d}') for i, label in enumerate(labels)]
    for f, fold in enumerate(stratified_kfold(labels, 3, seed=0)):
        os.makedirs(osp.join(src, f'Fold_{f}'))
        for part, idx in fold.items():
            for key, folder in (('X_raw', 'depth'), ('X_ref', 'reflectance')):
                np.save(osp.join(src, f'Fold_{f}', f'{key}_{part}.npy'),
                        np.array([f'{prefix}/{folder}/{samples[i]}.png' for i in idx]))
            np.save(osp.join(src, f'Fold_{f}', f'Y_{part}.npy'),
                    np.array([CLASSES[labels[i]] for i in idx]))
    return samples


def test_fold_lists_converter_keeps_the_authors_folds(tiny_3dpm, tmp_path, tool_main):
    src, out = str(tmp_path / 'lists'), str(tmp_path / '3dpm')
    write_fold_lists(tiny_3dpm, src, '/home/someone/MBV_data')
    main = tool_main('dataset_converters/3dpm_fold_lists.py')
    assert main([src, '--out', out, '--replace-prefix', '/home/someone/MBV_data',
                 tiny_3dpm]) == 0
    for f in range(3):
        raw = np.load(osp.join(src, f'Fold_{f}', 'X_raw_test.npy'))
        listed = [p.split('/depth/')[1][:-len('.png')] for p in raw]
        assert open(f'{out}/splits/fold{f}/test.txt').read().split() == listed
        dataset = ThreeDPMDataset(out, ann_file=f'splits/fold{f}/train.txt', pipeline=LOAD_3DPM)
        info = dataset.get_data_info(0)
        assert open(info['img_path'], 'rb').read() == open(info['img_path'].replace(
            out, tiny_3dpm), 'rb').read()
        assert dataset[0]['depth'].shape == (32, 32)


@pytest.mark.parametrize('damage,message', [
    ('class', r"Y_val.npy\[0\]: unknown class 'Slag'"),
    ('length', r'the lists of train differ in length'),
    ('file', r'X_\*_\w+.npy\[\d+\]: .*reflectance.* does not exist'),
])
def test_fold_lists_converter_names_the_bad_entry(damage, message, tiny_3dpm, tmp_path):
    from mmpixdepth.datasets.converters.three_dpm_folds import convert_fold_lists
    data, src = str(tmp_path / 'data'), str(tmp_path / 'lists')
    shutil.copytree(tiny_3dpm, data)
    write_fold_lists(data, src, data)
    fold = osp.join(src, 'Fold_1')
    if damage == 'class':
        labels = np.load(osp.join(fold, 'Y_val.npy'))
        np.save(osp.join(fold, 'Y_val.npy'), np.array(['Slag'] + labels[1:].tolist()))
    elif damage == 'length':
        np.save(osp.join(fold, 'Y_train.npy'), np.load(osp.join(fold, 'Y_train.npy'))[:-1])
    else:
        os.remove(str(np.load(osp.join(fold, 'X_ref_test.npy'))[0]))
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        convert_fold_lists(src, str(tmp_path / 'out'))


# ----------------------------------------------------------------------------- k-fold runner


def test_kfold_benchmark_config_runs_the_paper_protocol_per_fold(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    bench = load_benchmark('benchmarks/depthcontrast_synthetic3dpm_kfold.py')
    assert len(bench.folds) >= 3 and bench.metrics[0] == 'single-label/f1-score_weighted'
    assert bench.finetune.test_checkpoint == 'best'
    methods = {m['name']: m for m in bench.methods}
    pre, fine = stage_configs(bench, methods['Depth Contrast'], 0, str(tmp_path), 'x.pth', 2)
    assert pre.train_dataloader.dataset.ann_file == 'splits/fold2/train.txt'
    assert [fine[f'{s}_dataloader'].dataset.ann_file for s in ('train', 'val', 'test')] == \
        [f'splits/fold2/{s}.txt' for s in ('train', 'val', 'test')]
    assert fine.model.backbone.init_cfg.checkpoint == 'x.pth'
    assert pre.work_dir == osp.join(str(tmp_path), 'seed0', 'fold2', 'depth-contrast', 'pretrain')
    _, scratch = stage_configs(bench, methods['random init'], 0, str(tmp_path), None, 0)
    assert scratch.model.backbone.init_cfg is None


@pytest.mark.parametrize('text,message', [
    ("folds = []", 'folds must be a non-empty list'),
    ("methods = [dict(name='a', pretrain_from='b')]", 'pretrain_from must name a method'),
    ("finetune = dict(config='x.py', test_checkpoint='top')", 'must be "last" or "best"'),
])
def test_kfold_benchmark_keys_are_checked(text, message, tmp_path):
    path = tmp_path / 'bench.py'
    path.write_text("seeds = [0]\nfolds = [0]\nfinetune = dict(config='x.py')\n"
                    "methods = [dict(name='a', pretrain='p.py')]\n" + text + '\n')
    with pytest.raises(ValueError, match=message):
        load_benchmark(str(path))


def test_kfold_runner_pretrains_and_evaluates_per_fold(tiny_3dpm, tmp_path, tool):
    root = str(tmp_path / 'data')
    shutil.copytree(tiny_3dpm, root)
    write_3dpm_folds(root, 5)
    loader = {'num_workers': 0, 'persistent_workers': False, 'dataset.data_root': root}
    cls = {f'{s}_dataloader.{k}': v for s in ('train', 'val', 'test') for k, v in loader.items()}
    bench_file = tmp_path / 'bench.py'
    bench_file.write_text(f'''
seeds = [0]
folds = [0, 1, 2, 3]
metrics = ['single-label/f1-score_weighted', 'accuracy/top1']
pretrain_options = {{'train_dataloader.batch_size': 8, 'train_cfg.max_epochs': 1,
                    **{{f'train_dataloader.{{k}}': v for k, v in {loader!r}.items()}}}}
finetune = dict(config='{REPO}/{SYNTHETIC_CLS}', test_checkpoint='best',
                options={{'train_cfg.max_epochs': 1, **{cls!r}}})
methods = [
    dict(name='Depth Contrast', pretrain='{REPO}/{SYNTHETIC}'),
    dict(name='Depth Contrast linear', pretrain_from='Depth Contrast',
         finetune_config='{REPO}/{DC}/benchmarks/resnet18-w16_1xb16-linear-30e_synthetic3dpm.py'),
]
compare = [('Depth Contrast linear', 'Depth Contrast')]
''')
    out = str(tmp_path / 'out')
    tool('tools/analysis_tools/benchmark_transfer.py').main(
        [str(bench_file), '--out-dir', out, '--folds', '1', '2'])
    for fold in (1, 2):
        base = osp.join(out, 'seed0', f'fold{fold}')
        assert sorted(os.listdir(base)) == ['depth-contrast', 'depth-contrast-linear']
        assert not osp.exists(osp.join(base, 'depth-contrast-linear', 'pretrain'))  # reused
        dumped = glob.glob(osp.join(base, 'depth-contrast', 'pretrain', '*', 'vis_data',
                                    'config.py')) or glob.glob(
            osp.join(base, 'depth-contrast', 'pretrain', '*.py'))
        assert f'splits/fold{fold}/train.txt' in open(dumped[0]).read()
        result = json.load(open(osp.join(base, 'depth-contrast', 'finetune', 'result.json')))
        assert osp.basename(result['tested_checkpoint']).startswith(
            'best_single-label_f1-score_weighted_epoch_')
    runs = json.load(open(osp.join(out, 'runs.json')))
    assert sorted((r['fold'], r['method']) for r in runs) == sorted(
        (f, m) for f in (1, 2) for m in ('Depth Contrast', 'Depth Contrast linear'))
    linear = [r for r in runs if r['method'] == 'Depth Contrast linear']
    assert all(r['pretrain_checkpoint'].startswith(osp.join(out, 'seed0', f'fold{r["fold"]}',
                                                            'depth-contrast', 'pretrain'))
               for r in linear)
    table = open(osp.join(out, 'results.md')).read()
    values = [r['metrics']['single-label/f1-score_weighted'] for r in runs
              if r['method'] == 'Depth Contrast linear']
    mean, std = np.mean(values), np.std(values, ddof=1)
    assert f'| Depth Contrast linear | 2 | {mean:.2f} ± {std:.2f} |' in table
    assert 'Depth Contrast linear - Depth Contrast (single-label/f1-score_weighted)' in table
    assert 'over 2 folds (paired)' in table
