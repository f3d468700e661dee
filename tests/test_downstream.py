"""Pretraining -> backbone extraction -> frozen DeepLabV3 fine-tuning -> test, through the tools."""
import os.path as osp
import re
import subprocess

import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import _load_checkpoint
from mmseg.registry import MODELS as SEG_MODELS

from mmpixdepth.utils import load_config
from test_checkpoint import as_cli
from test_checkpoint import tiny_options as seg_options
from test_pretrain_tools import PIXDEPTH
from test_pretrain_tools import tiny_options as pretrain_options

FROZEN = 'configs/deeplabv3/deeplabv3_r18-frozen_1xb8-20e_synthetic-128x128.py'
EXTRACT = 'tools/model_converters/extract_backbone_weights.py'
PUBLISH = 'tools/model_converters/publish_model.py'


def run(cmd, repo_root, ok=True):
    out = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True, timeout=900)
    log = out.stdout + out.stderr
    assert (out.returncode == 0) == ok, log[-3000:]
    return log


@pytest.fixture(scope='module')
def pretrained(tiny_rgbd, tmp_path_factory, python, repo_root):
    """A 1-epoch PixDepth checkpoint and its extracted backbone."""
    work_dir = tmp_path_factory.mktemp('pretrain')
    run([python, 'tools/train.py', PIXDEPTH, '--work-dir', str(work_dir), '--cfg-options',
         *as_cli(pretrain_options(tiny_rgbd))], repo_root)
    ckpt = str(work_dir / 'epoch_1.pth')
    backbone = str(work_dir / 'backbone.pth')
    log = run([python, EXTRACT, ckpt, backbone], repo_root)
    assert re.search(r'wrote \d+ backbone tensors', log)
    return ckpt, backbone


def seg_model(config, repo_root, **backbone):
    cfg = load_config(osp.join(repo_root, config))
    cfg.model.backbone.update(backbone)
    with DefaultScope.overwrite_default_scope('mmseg'):
        return SEG_MODELS.build(cfg.model)


def test_extracted_weights_are_the_online_backbone(pretrained):
    ckpt, backbone = pretrained
    full = _load_checkpoint(ckpt, map_location='cpu')['state_dict']
    extracted = _load_checkpoint(backbone, map_location='cpu')
    online = {k[len('backbone.'):]: v for k, v in full.items() if k.startswith('backbone.')}
    assert extracted['state_dict'].keys() == online.keys()
    assert all(torch.equal(extracted['state_dict'][k], online[k]) for k in online)
    meta = extracted['meta']
    assert meta['backbone_only'] and meta['source'] == osp.abspath(ckpt)
    assert meta['source_epoch'] == 1 and len(meta['source_sha256']) == 64


@pytest.mark.parametrize('which', ['extracted', 'full'])
def test_segmentation_backbone_loads_with_no_missing_or_unexpected_key(pretrained, repo_root,
                                                                       which):
    ckpt, backbone = pretrained
    path = backbone if which == 'extracted' else ckpt
    model = seg_model(FROZEN, repo_root,
                      init_cfg=dict(type='PretrainedBackbone', checkpoint=path))
    with DefaultScope.overwrite_default_scope('mmseg'):
        model.init_weights()
    expected = _load_checkpoint(backbone, map_location='cpu')['state_dict']
    state = model.backbone.state_dict()
    assert state.keys() == expected.keys()
    assert all(torch.equal(state[k], expected[k]) for k in state)


def test_deep_stem_mismatch_fails_loudly(pretrained, repo_root):
    _, backbone = pretrained
    model = seg_model(FROZEN, repo_root, type='ResNetV1c',
                      init_cfg=dict(type='PretrainedBackbone', checkpoint=backbone))
    with DefaultScope.overwrite_default_scope('mmseg'), \
            pytest.raises(RuntimeError, match='missing keys in source state_dict') as error:
        model.init_weights()
    assert 'stem.0.weight' in str(error.value) and 'ResNetV1c' in str(error.value)
    assert 'unexpected key in source state_dict: conv1.weight' in str(error.value)
    assert 'different ResNet stems' in str(error.value)


def test_depth_mismatch_fails_loudly(pretrained, repo_root):
    _, backbone = pretrained
    model = seg_model(FROZEN, repo_root, depth=34,
                      init_cfg=dict(type='PretrainedBackbone', checkpoint=backbone))
    with DefaultScope.overwrite_default_scope('mmseg'), \
            pytest.raises(RuntimeError, match='missing keys in source state_dict: .*layer1.2'):
        model.init_weights()


def test_frozen_config_without_checkpoint_says_what_to_set(repo_root):
    model = seg_model(FROZEN, repo_root)
    with DefaultScope.overwrite_default_scope('mmseg'), \
            pytest.raises(ValueError, match=r'model\.backbone\.init_cfg\.checkpoint=PATH'):
        model.init_weights()


def test_checkpoint_without_backbone_is_refused(tmp_path, python, repo_root):
    src = str(tmp_path / 'head_only.pth')
    torch.save(dict(state_dict={'decode_head.conv.weight': torch.zeros(2)}, meta={}), src)
    out = subprocess.run([python, EXTRACT, src, str(tmp_path / 'out.pth')], cwd=repo_root,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert 'holds no backbone weights' in out.stderr and 'decode_head' in out.stderr
    assert not osp.exists(tmp_path / 'out.pth')


def test_publish_model_drops_training_state(pretrained, tmp_path, python, repo_root):
    ckpt, _ = pretrained
    log = run([python, PUBLISH, ckpt, 'pixdepth_tiny', '--out-dir', str(tmp_path),
               '--date', '20261123'], repo_root)
    path = re.search(r'as (\S+\.pth)', log).group(1)
    assert re.fullmatch(r'pixdepth_tiny_20261123-[0-9a-f]{8}\.pth', osp.basename(path))
    published = _load_checkpoint(path, map_location='cpu')
    assert set(published) == {'state_dict', 'meta'}
    assert 'optimizer' in _load_checkpoint(ckpt, map_location='cpu')
    import hashlib
    with open(path, 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest()[:8] == path[-12:-4]


def test_frozen_finetune_and_test_print_miou(pretrained, tiny_rgbd, tmp_path, python,
                                             repo_root):
    """The documented chain: fine-tune on the frozen encoder, then tools/test.py."""
    _, backbone = pretrained
    work_dir = str(tmp_path / 'seg')
    options = dict(seg_options(tiny_rgbd, 1), **{'model.backbone.init_cfg.checkpoint': backbone})
    log = run([python, 'tools/train.py', FROZEN, '--work-dir', work_dir, '--cfg-options',
               *as_cli(options)], repo_root)
    assert f'loaded 120 backbone tensors from {backbone}' in log  # ResNet-18 incl. BN buffers
    assert 'mIoU' in log
    tuned = _load_checkpoint(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')['state_dict']
    frozen = _load_checkpoint(backbone, map_location='cpu')['state_dict']
    # frozen encoder: weights and BN statistics unchanged by the fine-tuning
    assert all(torch.equal(tuned['backbone.' + k], v) for k, v in frozen.items())

    log = run([python, 'tools/test.py', FROZEN, osp.join(work_dir, 'epoch_1.pth'),
               '--work-dir', str(tmp_path / 'test'), '--cfg-options',
               *as_cli(seg_options(tiny_rgbd, 1))], repo_root)
    assert re.search(r'mIoU: \d+\.\d+', log), log[-2000:]
    assert 'per class results' in log
