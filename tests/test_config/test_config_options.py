import pytest
from mmengine.config import Config

from mmpixdepth.utils import load_config, merge_cfg_options


def _cfg():
    return Config(dict(
        model=dict(backbone=dict(depth=18, norm_cfg=dict(type='SyncBN')), head=dict(num=3)),
        train_dataloader=dict(batch_size=8, dataset=dict(pipeline=[dict(type='A'),
                                                                   dict(type='B', p=0.5)])),
        train_cfg=dict(max_epochs=2)))


def test_known_keys_are_merged():
    cfg = merge_cfg_options(_cfg(), {'train_cfg.max_epochs': 3, 'train_dataloader.batch_size': 2,
                                     'train_dataloader.dataset.pipeline.1.p': 1.0})
    assert cfg.train_cfg.max_epochs == 3
    assert cfg.train_dataloader.batch_size == 2
    assert cfg.train_dataloader.dataset.pipeline[1].p == 1.0


@pytest.mark.parametrize('key, says', [
    ('train_cfg.max_epoch', 'train_cfg: it has no key "max_epoch".*Did you mean max_epochs'),
    ('trian_cfg.max_epochs', 'the config: it has no key "trian_cfg"'),
    ('model.backbone.depth.x', 'model.backbone.depth: it is a int'),
    ('train_dataloader.dataset.pipeline.5.p', 'index 5 is out of range'),
])
def test_unknown_keys_are_errors(key, says):
    with pytest.raises(KeyError, match=f'unknown config option "{key}".*{says}'):
        merge_cfg_options(_cfg(), {key: 1})


def test_init_cfg_may_be_added():
    cfg = merge_cfg_options(_cfg(), {'model.backbone.init_cfg.checkpoint': 'a.pth'})
    assert cfg.model.backbone.init_cfg.checkpoint == 'a.pth'


def test_load_config_falls_back_without_cuda(tmp_path, monkeypatch):
    import torch
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    path = tmp_path / 'c.py'
    path.write_text("model = dict(backbone=dict(norm_cfg=dict(type='SyncBN')), "
                    "head=dict(norm_cfg=dict(type='SyncBN')))\n"
                    "env_cfg = dict(dist_cfg=dict(backend='nccl'))\n")
    cfg = load_config(str(path), launcher='pytorch')
    assert cfg.model.backbone.norm_cfg.type == 'BN' and cfg.model.head.norm_cfg.type == 'BN'
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.work_dir.endswith('work_dirs/c')
