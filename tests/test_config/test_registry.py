"""Every mmpixdepth module is reachable through the registries of the toolbox that runs it."""
import os.path as osp
import subprocess

import pytest
from mmengine.registry import DefaultScope

from helpers import REPO, registered_modules


PIXDEPTH_MODEL = dict(
    backbone=dict(type='ResNet', depth=18, out_indices=(3, ), norm_cfg=dict(type='BN')),
    neck=dict(type='PixelProjector', in_channels=512, hid_channels=16, out_channels=4,
              norm_cfg=dict(type='BN')),
    head=dict(type='PixelPropagationHead', ppm=dict(type='PixelPropagation', channels=4)))


def build_args(tiny_rgbd):
    """The smallest config of each registered class; a new class must be added here."""
    return {
        'LoadDepthFromFile': dict(),
        'SyntheticRGBDDataset': dict(data_root=tiny_rgbd, split='train', pipeline=[]),
        'SyntheticRGBDSegDataset': dict(
            data_root=tiny_rgbd, data_prefix=dict(img_path='images/train',
                                                  seg_map_path='annotations/train'),
            depth_prefix='depth/train', pipeline=[]),
        'RGBDFolderDataset': dict(data_root=tiny_rgbd, img_prefix='images/train',
                                  depth_prefix='depth/train', pipeline=[]),
        'RGBDSegDataset': dict(data_root=tiny_rgbd, img_suffix='.png', pipeline=[],
                               data_prefix=dict(img_path='images/train',
                                                seg_map_path='annotations/train'),
                               depth_prefix='depth/train'),
        'BoreholeDataset': dict(data_root=tiny_rgbd, data_prefix=dict(img_path='images/train'),
                                depth_prefix='depth/train', depth_suffix='.png', pipeline=[]),
        'CityscapesRGBDDataset': dict(
            data_root=tiny_rgbd, img_suffix='.png', seg_map_suffix='.png', depth_suffix='.png',
            data_prefix=dict(img_path='images/train', seg_map_path='annotations/train'),
            depth_prefix='depth/train', pipeline=[]),
        'NYUv2SegDataset': dict(
            data_root=tiny_rgbd, data_prefix=dict(img_path='images/train',
                                                  seg_map_path='annotations/train'),
            depth_prefix='depth/train', pipeline=[]),
        'ScanNetFramesDataset': dict(
            data_root=osp.dirname(tiny_rgbd), scenes=[osp.basename(tiny_rgbd)],
            data_prefix=dict(img_path='images/train', seg_map_path='annotations/train'),
            depth_prefix='depth/train', img_suffix='.png', pipeline=[]),
        'PixProViews': dict(crop_size=32, feat_stride=16),
        'HueSafeColorJitter': dict(brightness=0.4, hue=0.1),
        'PixelProjector': dict(in_channels=8, hid_channels=16, out_channels=4,
                               norm_cfg=dict(type='BN')),
        'PixelPropagation': dict(channels=4),
        'PixDepth': dict(PIXDEPTH_MODEL, depth_thr=0.3),
        'PixPro': PIXDEPTH_MODEL,
        'PixContrast': dict(PIXDEPTH_MODEL, head=dict(type='PixelContrastHead')),
        'PixelContrastHead': dict(temperature=0.2),
        'PixelPropagationHead': dict(ppm=dict(type='PixelPropagation', channels=4)),
        'CheckInvalidLossHook': dict(),
        'CheckWeightsFitHook': dict(min_share=0.5),
        'CheckSegLabels': dict(num_classes=6),
        'SafeCheckpointHook': dict(interval=1, max_keep_ckpts=2),
        'EarlyStoppingHookShim': dict(monitor='mIoU'),
        'PretrainedBackbone': dict(checkpoint='backbone.pth'),
        'DepthContrast': dict(
            backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN')),
            neck=dict(type='NonLinearNeck', in_channels=512, hid_channels=8, out_channels=4,
                      norm_cfg=dict(type='BN1d'))),
        'ThreeDPMDataset': dict(data_root=tiny_rgbd, lazy_init=True),
        'DepthToImage': dict(fill='mean'),
        'PairedRandomResizedCrop': dict(scale=32),
        'ModalityViews': dict(channels=1),
        'MergeModalities': dict(),
        'WeightedF1Metric': dict(),
        'PerClassIoUMetric': dict(iou_metrics=['mIoU']),
        'BoundaryIoUMetric': dict(),
        'RGBDSegLocalVisualizer': dict(name='registry-test-visualizer'),
    }


def test_every_registered_class_builds_from_a_config_dict(tiny_rgbd):
    modules = registered_modules()
    assert modules, 'mmpixdepth registered nothing'
    args = build_args(tiny_rgbd)
    from mmpixdepth import registry as reg
    registries = {(r.scope, r.name): r for r in reg.ALL_REGISTRIES}
    for (scope, name, key), cls in sorted(modules.items()):
        assert key in args, f'no build test for {key} (registered in {scope} {name})'
        with DefaultScope.overwrite_default_scope(scope):
            obj = registries[(scope, name)].build(dict(type=key, **args[key]))
        assert type(obj) is cls


def test_transforms_are_in_both_toolboxes():
    modules = registered_modules()
    assert ('mmpretrain', 'transform', 'LoadDepthFromFile') in modules
    assert ('mmseg', 'transform', 'LoadDepthFromFile') in modules


def test_custom_imports_in_a_config_registers_everything(tmp_path, python):
    """A fresh interpreter that never imports mmpixdepth itself finds its modules under both
    default scopes."""
    script = ['import sys', 'from mmengine.config import Config',
              'from mmengine.registry import DefaultScope',
              "assert 'mmpixdepth' not in sys.modules"]
    for scope in ('mmpretrain', 'mmseg'):
        config = tmp_path / f'{scope}.py'
        config.write_text(f"default_scope = '{scope}'\n"
                          "custom_imports = dict(imports=['mmpixdepth'], "
                          "allow_failed_imports=False)\n")
        script += [f'cfg = Config.fromfile({str(config)!r})',
                   f'from {scope}.registry import TRANSFORMS',
                   f'with DefaultScope.overwrite_default_scope({scope!r}):',
                   "    print(type(TRANSFORMS.build(dict(type='LoadDepthFromFile'))).__module__)"]
    out = subprocess.run([python, '-c', '\n'.join(script)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert [line.split('.')[0] for line in out.stdout.split()] == ['mmpixdepth'] * 2


def test_package_inits_import_once_and_export_everything():
    """Every ``__init__.py`` imports at the top and lists its exports once (no ``__all__ +=``,
    no E402 blocks), and each name of ``__all__`` exists; modules register themselves with
    :func:`mmpixdepth.registry.register_module` only."""
    import glob
    import importlib

    root = REPO
    for path in glob.glob(osp.join(root, 'mmpixdepth', '**', '__init__.py'), recursive=True):
        with open(path) as f:
            text = f.read()
        assert '__all__ +=' not in text and 'E402' not in text, path
        module = importlib.import_module(
            osp.relpath(osp.dirname(path), root).replace(osp.sep, '.'))
        assert all(hasattr(module, name) for name in getattr(module, '__all__', [])), path
    for path in glob.glob(osp.join(root, 'mmpixdepth', '**', '*.py'), recursive=True):
        with open(path) as f:
            assert '.register_module(' not in f.read() or path.endswith('registry.py'), path
