"""Pretraining -> backbone extraction -> frozen DeepLabV3 fine-tuning -> test, through the tools."""
import contextlib
import io
import os.path as osp
import re

import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import _load_checkpoint
from mmseg.registry import MODELS as SEG_MODELS

from helpers import REPO, as_cli, load_tool, run_log, seg_options, train
from mmpixdepth.utils import load_config

FROZEN = 'configs/deeplabv3/deeplabv3_r18-frozen_1xb8-20e_synthetic-128x128.py'
EXTRACT = 'tools/model_converters/extract_backbone_weights.py'
PUBLISH = 'tools/model_converters/publish_model.py'


@pytest.fixture(scope='module')
def pretrained(pixdepth_run, tmp_path_factory):
    """The session's 1-epoch PixDepth checkpoint and its extracted backbone."""
    ckpt = osp.join(pixdepth_run, 'epoch_1.pth')
    backbone = str(tmp_path_factory.mktemp('backbone') / 'backbone.pth')
    with contextlib.redirect_stdout(io.StringIO()) as out:
        load_tool(EXTRACT).main([ckpt, backbone])
    assert re.search(r'wrote \d+ backbone tensors', out.getvalue())
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


def test_checkpoint_without_backbone_is_refused(tmp_path):
    src = str(tmp_path / 'head_only.pth')
    torch.save(dict(state_dict={'decode_head.conv.weight': torch.zeros(2)}, meta={}), src)
    with pytest.raises(SystemExit) as err:
        load_tool(EXTRACT).main([src, str(tmp_path / 'out.pth')])
    assert 'holds no backbone weights' in str(err.value) and 'decode_head' in str(err.value)
    assert not osp.exists(tmp_path / 'out.pth')


def test_publish_model_drops_training_state(pretrained, tmp_path, capsys):
    ckpt, _ = pretrained
    load_tool(PUBLISH).main([ckpt, 'pixdepth_tiny', '--out-dir', str(tmp_path),
                             '--date', '20261123'])
    path = re.search(r'as (\S+\.pth)', capsys.readouterr().out).group(1)
    assert re.fullmatch(r'pixdepth_tiny_20261123-[0-9a-f]{8}\.pth', osp.basename(path))
    published = _load_checkpoint(path, map_location='cpu')
    assert set(published) == {'state_dict', 'meta'}
    assert 'optimizer' in _load_checkpoint(ckpt, map_location='cpu')
    import hashlib
    with open(path, 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest()[:8] == path[-12:-4]


def test_frozen_finetune_and_test_print_miou(pretrained, tiny_rgbd, tmp_path):
    """The documented chain: fine-tune on the frozen encoder, then tools/test.py."""
    _, backbone = pretrained
    work_dir = str(tmp_path / 'seg')
    options = dict(seg_options(tiny_rgbd, 1), **{'model.backbone.init_cfg.checkpoint': backbone})
    train([osp.join(REPO, FROZEN), '--work-dir', work_dir, '--cfg-options', *as_cli(options)])
    log = run_log(work_dir)
    assert f'loaded 120 backbone tensors from {backbone}' in log  # ResNet-18 incl. BN buffers
    assert 'mIoU' in log
    tuned = _load_checkpoint(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')['state_dict']
    frozen = _load_checkpoint(backbone, map_location='cpu')['state_dict']
    # frozen encoder: weights and BN statistics unchanged by the fine-tuning
    assert all(torch.equal(tuned['backbone.' + k], v) for k, v in frozen.items())

    test_dir = str(tmp_path / 'test')
    load_tool('tools/test.py').main([osp.join(REPO, FROZEN), osp.join(work_dir, 'epoch_1.pth'),
                                     '--work-dir', test_dir, '--cfg-options',
                                     *as_cli(seg_options(tiny_rgbd, 1))])
    log = run_log(test_dir)
    assert re.search(r'mIoU: \d+\.\d+', log), log[-2000:]
    assert 'per class results' in log
