"""Every config in configs/ loads, inherits cleanly and builds its model from the registries."""
import glob
import os.path as osp
import re

import pytest
import yaml
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmseg.registry import MODELS as SEG_MODELS

from mmpixdepth.utils import load_config
from helpers import REPO, head_kind

CONFIGS = sorted(osp.relpath(p, REPO) for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                                                        recursive=True) if '_base_' not in p)


def find_config(name):
    """``configs/.../<name>``: the one config of that file name."""
    [path] = [c for c in CONFIGS if osp.basename(c) == name]
    return osp.join(REPO, path)


@pytest.mark.parametrize('config', CONFIGS)
def test_config_builds_its_model(config):
    cfg = load_config(osp.join(REPO, config))
    assert cfg.custom_imports.imports == ['mmpixdepth']
    registry = {'mmpretrain': PRETRAIN_MODELS, 'mmseg': SEG_MODELS}[cfg.default_scope]
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = registry.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    name = osp.basename(config)
    if '-frozen' in name:
        assert cfg.model.backbone.frozen_stages > 0 and cfg.model.backbone.norm_eval
        assert cfg.model.backbone.init_cfg.type == 'PretrainedBackbone'
        model.train()  # some backbones freeze their stages in train()
        assert all(not p.requires_grad for p in model.backbone.parameters())
    if name.startswith('deeplabv3_') and '80e' in name:  # the paper's fine-tuning recipe
        assert cfg.optim_wrapper.optimizer.type == 'Adam' and cfg.optim_wrapper.optimizer.lr == 1e-3
        assert cfg.train_cfg.max_epochs == 80 and cfg.train_dataloader.batch_size == 32


def test_paper_pretraining_recipe():
    cfg = load_config(osp.join(REPO, 'configs/pixdepth_r34_imagenet.py'))
    assert cfg.model.backbone.depth == 34
    assert cfg.model.dist_thr == [0.3, 0.5, 0.7] and cfg.model.depth_thr == [0.3, 0.5, 0.7]
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum) == ('SGD', 0.1, 0.9)
    warmup, cosine = cfg.param_scheduler
    assert warmup.type == 'LinearLR' and warmup.end == 20
    assert cosine.type == 'CosineAnnealingLR' and cosine.end == 500
    assert cfg.train_cfg.max_epochs == 500 and cfg.train_dataloader.batch_size == 32
    borehole = load_config(find_config('pixdepth_r34_2xb64-800e_borehole-224x224.py'))
    assert borehole.train_cfg.max_epochs == 800 and borehole.train_dataloader.batch_size == 64


# depth-free configs whose PixDepth twin is not named by the usual prefix swap
TWINS = {'pixpro_r34_imagenet.py': 'pixdepth-propagation_r34_8xb32-500e_imagenet-224x224.py',
         'pixpro_r34_8xb32-500e_imagenet-224x224.py':
         'pixdepth-propagation_r34_8xb32-500e_imagenet-224x224.py',
         'pixpro_r18_1xb16-5e_synthetic-96x96.py': 'pixdepth_r18_1xb16-5e_synthetic-96x96.py'}


@pytest.mark.parametrize('config', [c for c in CONFIGS if osp.basename(c).startswith(
    ('pixdepth', 'pixcontrast', 'pixpro'))])
def test_pretraining_loss_defaults_and_twins(config):
    """PixDepth configs use the paper's pixel contrast loss unless named '-propagation'; the
    depth-free twins keep PixDepth's widths and spatial thresholds."""
    cfg = load_config(osp.join(REPO, config))
    name = osp.basename(config)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = PRETRAIN_MODELS.build(cfg.model)
    if name.startswith('pixdepth'):
        assert model.uses_depth
        assert head_kind(model) == ('propagation' if '-propagation' in name else 'contrast')
    else:
        assert not model.uses_depth
        assert head_kind(model) == ('contrast' if name.startswith('pixcontrast') else 'propagation')
        twin_path = find_config(TWINS.get(name) or name.replace(
            name.split('_')[0], 'pixdepth' if name.startswith('pixcontrast')
            else 'pixdepth-propagation', 1))
        depth_cfg = load_config(twin_path).model
        assert cfg.model.neck.out_channels == depth_cfg.neck.out_channels
        assert cfg.model.dist_thr == depth_cfg.dist_thr


# {algorithm}_{backbone}_{gpus}xb{batch}-{schedule}_{data}-{size}.py (mmseg / mmpretrain style);
# downstream configs under an algorithm's benchmarks/ start at the backbone, as in mmpretrain
NAME = re.compile(r'^([a-z0-9-]+_)?[a-z0-9-]+_\d+xb\d+-[a-z0-9-]+_[a-z0-9]+(-[a-z0-9]+)*\.py$')
ENTRY_POINTS = ('configs/pixdepth_r34_imagenet.py', 'configs/pixpro_r34_imagenet.py')


def test_config_layout_and_names():
    """Configs live in per-algorithm folders under OpenMMLab names; the design's short names
    at the top of configs/ are entry points that inherit from a folder config."""
    for config in CONFIGS:
        if config in ENTRY_POINTS:
            assert load_config(osp.join(REPO, config)).filename
            continue
        assert config.count('/') >= 2, f'{config}: configs belong in an algorithm folder'
        assert NAME.match(osp.basename(config)), f'{config}: not an OpenMMLab config name'
    imagenet = load_config(find_config('pixdepth_r34_8xb32-500e_imagenet-224x224.py'))
    entry = load_config(osp.join(REPO, ENTRY_POINTS[0]))
    assert entry.work_dir == './work_dirs/pixdepth_r34_imagenet'  # named after the entry point
    entry.work_dir = imagenet.work_dir
    assert entry.to_dict() == imagenet.to_dict()


@pytest.mark.parametrize('folder', sorted({c.split('/')[1] for c in CONFIGS if c.count('/') >= 2}))
def test_metafile_lists_every_config(folder):
    """Each algorithm folder has a README and a metafile.yml naming each of its configs once,
    with paths that exist, as mim and the OpenMMLab model index read them."""
    root = osp.join(REPO, 'configs', folder)
    assert osp.isfile(osp.join(root, 'README.md'))
    with open(osp.join(root, 'metafile.yml')) as f:
        meta = yaml.safe_load(f)
    collections = {c['Name'] for c in meta['Collections']}
    listed = []
    for model in meta['Models']:
        assert model['In Collection'] in collections
        assert osp.isfile(osp.join(REPO, model['Config'])), model['Config']
        assert model['Name'] == osp.basename(model['Config'])[:-3]
        listed.append(model['Config'])
    mine = [c for c in CONFIGS if c.startswith(f'configs/{folder}/')]
    assert sorted(listed) == sorted(mine)


def test_model_index_imports_every_metafile():
    with open(osp.join(REPO, 'model-index.yml')) as f:
        imports = yaml.safe_load(f)['Import']
    assert sorted(imports) == sorted(osp.relpath(p, REPO) for p in glob.glob(
        osp.join(REPO, 'configs', '*', 'metafile.yml')))
