"""Every dataset matches image suffixes in any case (``.png`` and ``.PNG``), as the pretraining
folder dataset does, and says what a folder holds when no image has the expected suffix."""
import os
import os.path as osp
import shutil

import pytest
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS as PRETRAIN_DATASETS
from mmseg.registry import DATASETS as SEG_DATASETS

from mmpixdepth.datasets import ThreeDPMDataset, generate_synthetic_3dpm, write_3dpm_splits

NAMES = ['00000', '00001', '00002', '00003']  # half of them get upper-case image suffixes


def rename_images(root, split, suffix='.PNG', names=NAMES[::2]):
    for name in names:
        os.rename(osp.join(root, 'images', split, f'{name}.png'),
                  osp.join(root, 'images', split, f'{name}{suffix}'))


@pytest.fixture
def mixed_case(tiny_rgbd, tmp_path):
    """The tiny synthetic set, images 00000 and 00002 of train renamed to ``.PNG``."""
    root = str(tmp_path / 'data')
    shutil.copytree(tiny_rgbd, root)
    rename_images(root, 'train')
    return root


def build(scope, **cfg):
    registry = dict(mmseg=SEG_DATASETS, mmpretrain=PRETRAIN_DATASETS)[scope]
    with DefaultScope.overwrite_default_scope(scope):
        return registry.build(dict(cfg, pipeline=[]))


def infos(dataset):
    return [dataset.get_data_info(k) for k in range(len(dataset))]


SEG = dict(type='SyntheticRGBDSegDataset', depth_prefix='depth/train',
           data_prefix=dict(img_path='images/train', seg_map_path='annotations/train'))


@pytest.mark.parametrize('scope, cfg', [
    ('mmseg', SEG),
    ('mmseg', dict(SEG, type='NYUv2SegDataset', reduce_zero_label=False)),
    ('mmseg', dict(SEG, type='BoreholeDataset', depth_suffix='.png')),
    ('mmseg', dict(SEG, type='CityscapesRGBDDataset', img_suffix='.png',
                   seg_map_suffix='.png', depth_suffix='.png')),
    ('mmpretrain', dict(type='SyntheticRGBDDataset', split='train')),
    ('mmpretrain', dict(type='RGBDFolderDataset', img_prefix='images/train',
                        depth_prefix='depth/train')),
])
def test_images_of_either_suffix_case_are_all_kept(scope, cfg, mixed_case):
    items = infos(build(scope, data_root=mixed_case, **cfg))
    assert [osp.basename(i['img_path']) for i in items] == [
        '00000.PNG', '00001.png', '00002.PNG', '00003.png', '00004.png', '00005.png',
        '00006.png', '00007.png']
    for info in items:
        for key in ('depth_path', 'seg_map_path'):
            if key in info:  # siblings keep their own suffix
                assert osp.isfile(info[key]) and info[key].endswith('.png'), info[key]
    assert all('depth_path' in info for info in items)


def test_file_list_names_resolve_to_either_suffix_case(mixed_case):
    with open(osp.join(mixed_case, 'train.txt'), 'w') as f:
        f.write('\n'.join(NAMES) + '\n')
    items = infos(build('mmseg', data_root=mixed_case, ann_file='train.txt', **SEG))
    assert [osp.basename(i['img_path']) for i in items] == [
        '00000.PNG', '00001.png', '00002.PNG', '00003.png']
    assert all(osp.isfile(i['img_path']) and osp.isfile(i['depth_path']) for i in items)


def test_scannet_frames_of_either_suffix_case(tiny_rgbd, tmp_path):
    root = tmp_path / 'scannet'
    shutil.copytree(tiny_rgbd, root / 'scene0000_00')
    rename_images(str(root / 'scene0000_00'), 'train', suffix='.PNG')
    items = infos(build('mmseg', type='ScanNetFramesDataset', data_root=str(root),
                        img_suffix='.png', depth_prefix='depth/train',
                        data_prefix=dict(img_path='images/train',
                                         seg_map_path='annotations/train')))
    assert len(items) == 8 and osp.basename(items[0]['img_path']) == '00000.PNG'
    assert all(osp.isfile(i['seg_map_path']) and osp.isfile(i['depth_path']) for i in items)


def test_3dpm_samples_of_either_suffix_case(tmp_path):
    root = str(tmp_path / '3dpm')
    generate_synthetic_3dpm(root, num_per_class=2, size=16, seed=0)
    for cls in os.listdir(osp.join(root, 'reflectance')):
        os.rename(osp.join(root, 'reflectance', cls, '0000.png'),
                  osp.join(root, 'reflectance', cls, '0000.PNG'))
    every = infos(ThreeDPMDataset(root))
    assert len(every) == 14 and sum(i['img_path'].endswith('.PNG') for i in every) == 7
    splits = write_3dpm_splits(root)  # split files list '<class>/<id>', found again on load
    train = infos(ThreeDPMDataset(root, ann_file='splits/train.txt'))
    assert len(train) == len(splits['train']) and all(osp.isfile(i['img_path']) for i in train)


@pytest.mark.parametrize('scope, cfg, hint', [
    ('mmseg', SEG, 'no image \\*\\.png \\(in any case\\)'),
    ('mmpretrain', dict(type='SyntheticRGBDDataset', split='train'), 'no image \\(\\.png in any '
     'case'),
])
def test_a_folder_of_other_suffixes_is_listed_without_the_data_hint(scope, cfg, hint, tiny_rgbd,
                                                                    tmp_path):
    root = str(tmp_path / 'data')
    shutil.copytree(tiny_rgbd, root)
    rename_images(root, 'train', suffix='.jpg', names=[f'{k:05d}' for k in range(8)])
    with pytest.raises(FileNotFoundError, match=hint + r'.* in .*images/train; it holds 8 '
                       r'file\(s\) with other suffixes \(00000\.jpg, 00001\.jpg, .* and 3 more\): '
                       r'set the image suffix to theirs\.$') as info:
        build(scope, data_root=root, **cfg)
    assert 'generate_synthetic_data' not in str(info.value)
    shutil.rmtree(osp.join(root, 'images', 'train'))
    os.makedirs(osp.join(root, 'images', 'train'))
    with pytest.raises(FileNotFoundError, match='generate_synthetic_data'):  # truly empty
        build(scope, data_root=root, **cfg)
