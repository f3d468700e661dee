"""--cfg-options keys a config lacks: accepted where what reads the dict takes them (registered
types, the Runner and what it builds), rejected with a suggestion otherwise."""
import pytest

from mmpixdepth.utils import load_config

CONFIG = """
default_scope = 'mmpretrain'
custom_imports = dict(imports=['mmpixdepth'], allow_failed_imports=False)
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN', requires_grad=True)),
    head=dict(type='LinearClsHead', num_classes=7, in_channels=512))
train_dataloader = dict(
    batch_size=2, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='ThreeDPMDataset', data_root='data/3dpm',
                 pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')]))
train_cfg = dict(by_epoch=True, max_epochs=2)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=2)]
default_hooks = dict(logger=dict(type='LoggerHook', interval=10))
randomness = dict(seed=0)
"""


@pytest.fixture(scope='module')
def config(tmp_path_factory):
    path = tmp_path_factory.mktemp('cfg') / 'classifier.py'
    path.write_text(CONFIG)
    return str(path)


@pytest.mark.parametrize('options', [
    {'train_dataloader.dataset.label_fraction': 0.2},  # ThreeDPMDataset
    {'randomness.deterministic': True},  # set_random_seed
    {'auto_scale_lr.enable': True, 'auto_scale_lr.base_batch_size': 16},  # Runner.scale_lr
    {'optim_wrapper.accumulative_counts': 2},  # OptimWrapper
    {'optim_wrapper.type': 'AmpOptimWrapper', 'optim_wrapper.loss_scale': 'dynamic'},
    {'optim_wrapper.paramwise_cfg.norm_decay_mult': 0.0},  # the wrapper constructor's
    {'param_scheduler.0.convert_to_iter_based': True},  # popped by the Runner
    {'train_dataloader.persistent_workers': True},  # torch DataLoader
    {'train_cfg.val_interval': 2},  # EpochBasedTrainLoop
    {'model.backbone.frozen_stages': 2},  # mmpretrain ResNet
    {'model.backbone.init_cfg.checkpoint': 'a.pth'},
    {'model.backbone.norm_cfg.requires_grad': False},  # read by build_norm_layer
    {'train_dataloader.dataset.pipeline.0.color_type': 'grayscale'},  # mmcv LoadImageFromFile
    {'default_hooks.early.type': 'EarlyStoppingHook', 'default_hooks.early.monitor': 'loss'},
    {'env_cfg.cudnn_benchmark': True, 'log_level': 'DEBUG'},  # Runner arguments
    {'default_hooks.logger.priority': 'LOW'},  # popped by Runner.register_hook
])
def test_keys_their_reader_takes_are_accepted(config, options):
    cfg = load_config(config, dict(options))
    for key, value in options.items():
        node = cfg
        for part in key.split('.'):
            node = node[int(part)] if isinstance(node, list) else node[part]
        assert node == value


@pytest.mark.parametrize('key, says', [
    ('train_dataloader.dataset.label_fractoin',
     'train_dataloader.dataset: it has no key "label_fractoin" and ThreeDPMDataset takes no '
     'such argument.*Did you mean label_fraction'),
    ('randomness.determinstic', 'set_random_seed takes no such.*Did you mean deterministic'),
    ('auto_scale_lr.enabled', 'auto_scale_lr: it has no key "enabled".*Did you mean enable'),
    ('optim_wrapper.accumulative_count', 'OptimWrapper.*Did you mean accumulative_counts'),
    ('optim_wrapper.loss_scale', 'optim_wrapper: it has no key "loss_scale" and OptimWrapper'),
    ('train_dataloader.batchsize', 'DataLoader takes no such.*Did you mean batch_size'),
    ('train_cfg.max_epoch', 'EpochBasedTrainLoop takes no such.*Did you mean max_epochs'),
    ('model.backbone.dept', 'ResNet takes no such argument.*Did you mean depth'),
    ('randomnes.seed', 'the config: it has no key "randomnes" and Runner.*Did you mean randomness'),
    ('default_hooks.logger.intervl', 'LoggerHook takes no such.*Did you mean interval'),
])
def test_typos_are_rejected_with_a_suggestion(config, key, says):
    with pytest.raises(KeyError, match=f'unknown config option "{key}": .*{says}'):
        load_config(config, {key: 1})


@pytest.mark.parametrize('key, value, says', [
    ('train_cfg.max_epochs', 'abc', r"'abc' is not a number, which the config has there \(2\)"),
    ('optim_wrapper.optimizer.lr', '1e-3x', r"'1e-3x' is not a number"),
    ('model.backbone.norm_cfg.requires_grad', 'yes', r"'yes' is not True or False"),
])
def test_text_where_the_config_has_a_number_is_rejected(config, key, value, says):
    with pytest.raises(ValueError, match=rf'--cfg-options {key}={value}: {says}'):
        load_config(config, {key: value})
    # numbers stay numbers, a number may become None and text may replace text
    cfg = load_config(config, {'train_cfg.max_epochs': 3, 'optim_wrapper.optimizer.lr': None,
                               'train_dataloader.dataset.data_root': 'elsewhere'})
    assert cfg.train_cfg.max_epochs == 3 and cfg.optim_wrapper.optimizer.lr is None
