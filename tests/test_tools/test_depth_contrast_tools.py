"""Depth Contrast pretraining -> linear evaluation -> test, through the real tools on CPU."""
import glob
import json
import math
import os
import os.path as osp
import re

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

from helpers import as_cli, kept_default_scope

PRETRAIN = 'configs/depthcontrast/depthcontrast_resnet18_1xb16-rrc-20e_synthetic3dpm-56x56.py'
LINEAR = 'configs/depthcontrast/benchmarks/resnet18_1xb16-linear-rrc-20e_synthetic3dpm.py'
F1 = 'single-label/f1-score_weighted'


def run(tool, repo_root, script, *args):
    """``tools/<script>`` in this process; the text of the log file it wrote."""
    work_dir = args[args.index('--work-dir') + 1]
    before = set(glob.glob(osp.join(work_dir, '*', '*.log')))
    with kept_default_scope():
        tool(script).main([osp.join(repo_root, args[0]), *args[1:]])
    logs = sorted(set(glob.glob(osp.join(work_dir, '*', '*.log'))) - before)
    return open(logs[-1]).read()


def loader_options(root, *loaders):
    options = {}
    for loader in loaders:
        options.update({f'{loader}.dataset.data_root': root, f'{loader}.batch_size': 8,
                        f'{loader}.num_workers': 0, f'{loader}.persistent_workers': False})
    return options


@pytest.fixture(scope='module')
def pretrained(tiny_3dpm, tmp_path_factory, tool, repo_root):
    """Work dir of one Depth Contrast epoch (21 train samples, batch 8: 2 iterations)."""
    work_dir = str(tmp_path_factory.mktemp('depthcontrast'))
    options = dict(loader_options(tiny_3dpm, 'train_dataloader'), **{
        'train_cfg.max_epochs': 1, 'default_hooks.logger.interval': 1,
        'train_dataloader.dataset.pipeline.3.scale': 32})
    log = run(tool, repo_root, 'tools/train.py', PRETRAIN, '--work-dir', work_dir,
              '--cfg-options', *as_cli(options))
    return work_dir, log


def test_pretraining_logs_a_finite_contrastive_loss(pretrained):
    work_dir, log = pretrained
    losses = [float(v) for v in re.findall(r'\bloss: (\S+)', log)]
    assert len(losses) == 2, log[-3000:]
    # InfoNCE over 2B - 1 = 15 candidates: 0 <= loss, about log(15) = 2.7 at the start
    assert all(math.isfinite(v) and 0 <= v < 2 * math.log(15) for v in losses), losses
    state = _load_checkpoint(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')['state_dict']
    assert any(k.startswith('backbone.layer4.') for k in state)
    assert any(k.startswith('neck.1.fc1.') for k in state)


def test_linear_evaluation_of_the_pretrained_encoder_reports_weighted_f1(
        pretrained, tiny_3dpm, tmp_path, tool, repo_root):
    checkpoint = osp.join(pretrained[0], 'epoch_1.pth')
    options = dict(
        loader_options(tiny_3dpm, 'train_dataloader', 'val_dataloader', 'test_dataloader'), **{
            'model.backbone.init_cfg.checkpoint': checkpoint, 'train_cfg.max_epochs': 2,
            'default_hooks.logger.interval': 1})
    work_dir = str(tmp_path / 'linear')
    log = run(tool, repo_root, 'tools/train.py', LINEAR, '--work-dir', work_dir,
              '--cfg-options', *as_cli(options))
    pre = _load_checkpoint(checkpoint, map_location='cpu')['state_dict']
    backbone = [k for k in pre if k.startswith('backbone.')]
    assert f'loaded {len(backbone)} backbone tensors from {checkpoint}' in log, log[-3000:]
    assert len(re.findall(F1 + r': [\d.]+', log)) == 2  # validated after each epoch
    best = [name for name in os.listdir(work_dir)
            if name.startswith('best_single-label_f1-score_weighted_epoch_')]
    assert len(best) == 1, os.listdir(work_dir)
    best_path = osp.join(work_dir, best[0])

    # the encoder is frozen: weights and BN statistics are exactly the pretrained ones
    after = _load_checkpoint(best_path, map_location='cpu')['state_dict']
    assert [k for k in after if k.startswith('backbone.')] == backbone
    assert all(torch.equal(after[k], pre[k]) for k in backbone)
    assert after['head.fc.weight'].shape == (7, 512)

    metrics_file = str(tmp_path / 'metrics.json')
    log = run(tool, repo_root, 'tools/test.py', LINEAR, best_path, '--work-dir',
              str(tmp_path / 'test'), '--metrics-out',
              metrics_file, '--cfg-options', *as_cli(options))
    printed = re.findall(F1 + r': ([\d.]+)', log)
    assert len(printed) == 1, log[-3000:]
    metrics = json.load(open(metrics_file))
    assert 0 <= metrics[F1] <= 100 and float(printed[0]) == pytest.approx(metrics[F1], abs=1e-3)
    assert 0 <= metrics['accuracy/top1'] <= 100
    classes = ('Mixed1', 'Aggl', 'Mixed2', 'Ore1', 'Ore2', 'Ore3', 'Cylindrical')
    assert all(f'single-label/f1-score_{c}' in metrics for c in classes)


@pytest.mark.parametrize('pretrain,classify', [
    ('depthcontrast_resnet50_1xb252-300e_3dpm-224x224',
     'benchmarks/resnet50_1xb16-linear-100e_3dpm'),
    ('depthcontrast_efficientnet-b2_1xb252-300e_3dpm-224x224',
     'benchmarks/efficientnet-b2_1xb16-linear-100e_3dpm-20pct'),
])
def test_3dpm_classifiers_load_the_encoder_of_their_pretraining_config(pretrain, classify,
                                                                       tmp_path, repo_root):
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    from mmpixdepth.utils import load_config
    init_default_scope('mmpretrain')  # as the runner does; weight initialisers are scoped
    model = MODELS.build(load_config(osp.join(repo_root, 'configs/depthcontrast', pretrain + '.py'),
                                     {'model.backbone.init_cfg': None}).model)
    model.init_weights()
    with torch.no_grad():  # like trained weights: no zero-initialised BN left
        for param in model.backbone.parameters():
            param.add_(torch.rand_like(param))
    checkpoint = str(tmp_path / 'pretrained.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)

    cfg = load_config(osp.join(repo_root, 'configs/depthcontrast', classify + '.py'),
                      {'model.backbone.init_cfg.checkpoint': checkpoint})
    classifier = MODELS.build(cfg.model)
    classifier.init_weights()
    loaded = classifier.backbone.state_dict()
    pretrained = model.backbone.state_dict()
    assert loaded.keys() == pretrained.keys()
    assert all(torch.equal(loaded[k], pretrained[k]) for k in loaded)
    classifier.train()
    assert not any(p.requires_grad for p in classifier.backbone.parameters())  # linear eval
    assert all(p.requires_grad for p in classifier.head.parameters())
