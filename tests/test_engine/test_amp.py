"""Mixed precision: AutocastOptimWrapper (bfloat16 autocast on CPU, no loss scaler), the choice
of ``tools/train.py --amp``, float32 pixel losses under autocast, and the probes' features."""
import importlib
import os.path as osp

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmpixdepth.engine.amp as amp
from mmpixdepth.engine import AutocastOptimWrapper, choose_amp, forward_precision
from helpers import (PIXDEPTH_CONFIG, REPO, SEG_CONFIG, as_cli, pretrain_options,
                            run_log, seg_options, train)


@pytest.fixture
def cpu_with_bf16(monkeypatch):
    """This machine as a CPU-only one with native bfloat16 (CI's kind has it; bfloat16 autocast
    also runs, emulated and slower, where it does not)."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(amp, 'cpu_has_native_bf16', lambda: True)


def build_wrapper(scope, **kwargs):
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
    cfg = dict(type='AutocastOptimWrapper', optimizer=dict(type='SGD', lr=0.1), **kwargs)
    with DefaultScope.overwrite_default_scope(scope):
        return net, build_optim_wrapper(net, cfg)


@pytest.mark.parametrize('scope', ['mmpretrain', 'mmseg'])
def test_wrapper_runs_the_forward_pass_in_bf16_and_steps_float32_weights(scope):
    net, wrapper = build_wrapper(scope)
    assert isinstance(wrapper, AutocastOptimWrapper)
    x = torch.rand(2, 3, 8, 8)
    with wrapper.optim_context(net):
        y = net[0](x)
    assert y.dtype == torch.bfloat16
    assert net[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert net[0](x).dtype == torch.float32  # outside the context: float32
    before = net[0].weight.detach().clone()
    with wrapper.optim_context(net):
        loss = net(x).float().square().mean()
    wrapper.update_params(loss)
    assert net[0].weight.dtype == torch.float32 and net[0].weight.grad is None  # zeroed
    assert not torch.equal(before, net[0].weight)
    assert 'loss_scaler' not in wrapper.state_dict()


def test_wrapper_refuses_float16():
    with pytest.raises(ValueError, match="float16 needs a loss scaler"):
        build_wrapper('mmpretrain', dtype='float16')


def test_choose_amp_on_a_cpu(cpu_with_bf16, monkeypatch):
    base = ConfigDict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1),
                      paramwise_cfg=dict(norm_decay_mult=0.))
    wrapper, why = choose_amp(base)
    assert wrapper == dict(type='AutocastOptimWrapper', dtype='bfloat16',
                           optimizer=base.optimizer, paramwise_cfg=base.paramwise_cfg)
    assert 'bfloat16' in why and 'native' in why
    monkeypatch.setattr(amp, 'cpu_has_native_bf16', lambda: False)
    wrapper, why = choose_amp(base)
    assert wrapper is None and 'stays float32' in why and 'no native bfloat16' in why


def test_forward_precision_of_a_config():
    assert forward_precision(None) == (None, False)
    assert forward_precision(dict(type='OptimWrapper')) == (None, False)
    assert forward_precision(dict(type='AutocastOptimWrapper')) == (torch.bfloat16, True)
    assert forward_precision(dict(type='AutocastOptimWrapper', channels_last=False)) == (
        torch.bfloat16, False)
    assert forward_precision(dict(type='AmpOptimWrapper')) == (torch.float16, False)
    assert forward_precision(dict(type='AmpOptimWrapper', dtype='bfloat16')) == (
        torch.bfloat16, False)


@pytest.mark.parametrize('loss_type', ['contrast', 'propagation'])
def test_pixel_loss_under_bf16_is_the_float32_loss_of_the_bf16_features(loss_type, monkeypatch):
    """The network computes in bfloat16; the masks, depth differences and losses do not."""
    MessageHub.get_current_instance().update_info('max_iters', 100)
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='PixDepth', dist_thr=[0.3, 0.7], depth_thr=[0.1, 0.3],
        data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0.] * 3, std=[1.] * 3),
        backbone=dict(type='ResNet', depth=18, base_channels=16, stem_channels=16,
                      out_indices=(3, ), strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4)),
        neck=dict(type='PixelProjector', in_channels=128, hid_channels=32, out_channels=16),
        head=dict(type='PixelContrastHead') if loss_type == 'contrast' else dict(
            type='PixelPropagationHead', ppm=dict(type='PixelPropagation', channels=16))))
    gen = torch.Generator().manual_seed(0)
    imgs = [torch.rand(2, 3, 32, 32, generator=gen) for _ in range(2)]
    samples = []
    for _ in range(2):
        sample = DataSample()
        sample.set_field(torch.tensor([[0., 0., .8, .8], [.9, .2, .1, 1.]]), 'coord')
        sample.set_field(torch.rand(2, 4, 4, generator=gen), 'depth_cells')
        samples.append(sample)
    module = importlib.import_module('mmpixdepth.models.heads.pixel_' + (
        'contrast_head' if loss_type == 'contrast' else 'propagation_head'))
    name = 'pixcontrast_loss' if loss_type == 'contrast' else 'pixpro_consistency_loss'
    loss_fn, calls = getattr(module, name), []

    def recording(*args):
        calls.append((args, loss_fn(*args)))
        assert torch.is_autocast_enabled('cpu')  # called inside autocast
        return calls[-1][1]

    monkeypatch.setattr(module, name, recording)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = model.loss(imgs, samples)['loss_pixel']
    assert len(calls) == 2  # both directions
    for args, value in calls:
        assert args[0].dtype == args[1].dtype == torch.float32  # grouped, normalised features
        assert value.dtype == torch.float32 and (value != 0).any()
        assert torch.equal(value, loss_fn(*args))  # float32 maths, outside any autocast
    assert loss.dtype == torch.float32


def test_depth_contrast_loss_is_float32_under_autocast():
    from mmpixdepth.models import depth_contrast_loss
    gen = torch.Generator().manual_seed(0)
    depth, reflectance = torch.randn(2, 8, 32, generator=gen).bfloat16()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = depth_contrast_loss(depth, reflectance, symmetric=True)
    assert loss.dtype == torch.float32
    assert torch.equal(loss, depth_contrast_loss(depth, reflectance, symmetric=True))


def test_train_amp_on_cpu_trains_in_bf16_and_says_so(tiny_rgbd, tmp_path, cpu_with_bf16):
    work_dir = str(tmp_path / 'amp')
    train([osp.join(REPO, PIXDEPTH_CONFIG), '--work-dir', work_dir, '--amp',
           '--cfg-options', *as_cli(pretrain_options(tiny_rgbd))])
    log = run_log(work_dir)
    assert '--amp: bfloat16 autocast with AutocastOptimWrapper on the CPU' in log
    dumped = Config.fromfile(osp.join(work_dir, osp.basename(PIXDEPTH_CONFIG)))
    assert dumped.optim_wrapper.type == 'AutocastOptimWrapper'
    assert dumped.optim_wrapper.paramwise_cfg  # the config's other settings are kept
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    # and a segmentation config (mmseg scope) trains, validates and resumes the same way
    seg_dir = str(tmp_path / 'seg')
    train([osp.join(REPO, SEG_CONFIG), '--work-dir', seg_dir, '--amp',
           '--cfg-options', *as_cli(seg_options(tiny_rgbd, 1))])
    train([osp.join(REPO, SEG_CONFIG), '--work-dir', seg_dir, '--amp', '--resume',
           '--cfg-options', *as_cli(seg_options(tiny_rgbd, 2))])
    log = run_log(seg_dir)
    assert 'AutocastOptimWrapper' in log and 'resumed epoch: 1' in log.lower()
    assert osp.isfile(osp.join(seg_dir, 'epoch_2.pth'))


def test_train_amp_without_native_bf16_stays_float32(tiny_rgbd, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(amp, 'cpu_has_native_bf16', lambda: False)
    work_dir = str(tmp_path / 'fp32')
    train([osp.join(REPO, PIXDEPTH_CONFIG), '--work-dir', work_dir, '--amp',
           '--cfg-options', *as_cli(pretrain_options(tiny_rgbd))])
    assert 'WARNING - --amp: training stays float32' in run_log(work_dir)
    dumped = Config.fromfile(osp.join(work_dir, osp.basename(PIXDEPTH_CONFIG)))
    assert dumped.optim_wrapper.type == 'OptimWrapper'


def test_probe_features_follow_the_config_precision(tiny_rgbd):
    from mmpixdepth.analysis.frozen_probe import build_split, extract_features
    from mmpixdepth.models.encoder import RANDOM, load_encoder
    from mmpixdepth.utils import load_config
    cfg = load_config(osp.join(REPO, SEG_CONFIG), {'train_dataloader.dataset.data_root': tiny_rgbd})
    encoder = load_encoder(cfg, RANDOM, 0)
    dataset = build_split(cfg, 'train')
    prep = dict(cfg.model.data_preprocessor)
    fp32, labels, _ = extract_features(encoder, dataset, prep)
    bf16, labels16, _ = extract_features(encoder, dataset, prep, dtype=torch.bfloat16,
                                      channels_last=True)
    assert fp32.dtype == bf16.dtype == torch.float32 and torch.equal(labels, labels16)
    assert not torch.equal(fp32, bf16)  # computed in bfloat16 ...
    assert torch.allclose(fp32, bf16, rtol=0.1, atol=0.1)  # ... and close to float32
