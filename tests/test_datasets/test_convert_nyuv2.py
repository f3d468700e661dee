"""NYUv2 converter on a tiny labelled set written in the official formats (a MATLAB v7.3
file with the real dataset names and MATLAB's transposed axis order, v5 mapping and split
files), round-tripped through NYUv2SegDataset and LoadDepthFromFile; and the browse check."""
import os.path as osp

import cv2
import h5py
import numpy as np
import pytest
from mmengine.registry import DefaultScope
from mmseg.registry import DATASETS, TRANSFORMS
from scipy.io import savemat

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets.converters.nyuv2 import load_class_mapping, load_splits
from mmpixdepth.utils import load_config

H, W, N = 6, 8, 5  # not square, so a transposed array cannot pass
NAMES = ['wall', 'chair', 'floor', 'book', 'cup', 'lamp']  # 6 classes of the labelled set
MAP_CLASS = [1, 5, 2, 23, 40, 35]  # class id i (1-based) -> NYU40 id MAP_CLASS[i - 1]
TRAIN, TEST = [1, 3, 4], [2, 5]  # one-based frame numbers
MATLAB_HEADER = (b'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 '
                 b'HDF5 schema 1.00 .')


def frames():
    """Per frame: RGB (H, W, 3) uint8, depth and raw depth in metres, class ids (H, W)."""
    rows, cols = np.mgrid[0:H, 0:W]
    out = []
    for n in range(N):
        rgb = np.stack([rows * W + cols + 10 * n, rows * 30, cols * 25], -1).astype(np.uint8)
        depth = (0.5 + 0.1 * rows + 0.01 * cols + 0.001 * n).astype(np.float32)
        raw = depth.copy()
        raw[0, :3] = 0  # no sensor depth
        labels = ((rows + 2 * cols + n) % (len(NAMES) + 1)).astype(np.uint16)  # 0 = unlabelled
        out.append((rgb, depth, raw, labels))
    return out


def write_labeled_mat(path, data, skip=()):
    """nyu_depth_v2_labeled.mat as MATLAB writes it: HDF5 after a 512-byte header, arrays
    with reversed axes ((N, 3, W, H) images, (N, W, H) maps), names as a cell of references."""
    arrays = dict(images=np.stack([rgb.transpose(2, 1, 0) for rgb, *_ in data]),
                  depths=np.stack([d.T for _, d, _, _ in data]),
                  rawDepths=np.stack([r.T for _, _, r, _ in data]),
                  labels=np.stack([lab.T for *_, lab in data]))
    with h5py.File(path, 'w', userblock_size=512) as mat:
        for name, array in arrays.items():
            if name not in skip:
                mat.create_dataset(name, data=array)
        names = mat.create_dataset('names', (1, len(NAMES)), dtype=h5py.ref_dtype)
        for i, name in enumerate(NAMES):
            names[0, i] = mat.create_dataset(f'#refs#/{i}', data=np.frombuffer(
                name.encode('utf-16-le'), np.uint16)[:, None]).ref
    with open(path, 'r+b') as file:
        file.write(MATLAB_HEADER.ljust(116) + bytes(8) + b'\x00\x02IM')
    assert arrays['images'].shape == (N, 3, W, H)  # the orientation of the real file


@pytest.fixture
def nyu_files(tmp_path):
    data = frames()
    write_labeled_mat(tmp_path / 'nyu_depth_v2_labeled.mat', data)
    savemat(tmp_path / 'classMapping40.mat',
            dict(mapClass=np.array([MAP_CLASS], np.float64), className=np.array(['x'] * 40)))
    savemat(tmp_path / 'splits.mat', dict(trainNdxs=np.array(TRAIN, np.float64)[:, None],
                                          testNdxs=np.array(TEST, np.float64)[:, None]))
    files = [str(tmp_path / name) for name in
             ('nyu_depth_v2_labeled.mat', 'classMapping40.mat', 'splits.mat')]
    return files, data


def expected_labels40(labels):
    return np.array([0] + MAP_CLASS, np.uint8)[labels]


def load_depth(info, **kwargs):
    with DefaultScope.overwrite_default_scope('mmseg'):
        results = TRANSFORMS.build(dict(type='LoadImageFromFile'))(dict(info))
        return TRANSFORMS.build(dict(type='LoadDepthFromFile', **kwargs))(results)['depth']


def test_convert_and_round_trip(nyu_files, tmp_path, tool_main, repo_root, capsys,
                                pretraining_item):
    files, data = nyu_files
    out = str(tmp_path / 'nyuv2')
    assert tool_main('dataset_converters/nyuv2.py')(files + [out, '--no-progress']) == 0
    assert 'train: 3 frames, depth 500..' in capsys.readouterr().out
    for split, numbers in (('train', TRAIN), ('test', TEST)):
        for number in numbers:
            rgb, depth, _, labels = data[number - 1]
            name = f'{number:04d}.png'
            image = cv2.imread(osp.join(out, 'images', split, name), cv2.IMREAD_UNCHANGED)
            np.testing.assert_array_equal(image[..., ::-1], rgb)
            depth_mm = cv2.imread(osp.join(out, 'depth', split, name), cv2.IMREAD_UNCHANGED)
            assert depth_mm.dtype == np.uint16
            np.testing.assert_array_equal(depth_mm, np.round(depth * 1000))
            label = cv2.imread(osp.join(out, 'labels40', split, name), cv2.IMREAD_UNCHANGED)
            np.testing.assert_array_equal(label, expected_labels40(labels))

    cfg = load_config(osp.join(repo_root, 'configs/_base_/datasets/nyuv2_seg.py'))
    with DefaultScope.overwrite_default_scope('mmseg'):
        test = DATASETS.build(dict(cfg.val_dataloader.dataset, data_root=out))
        item = test[1]
    assert len(test) == len(TEST)
    gt = item['data_samples'].gt_sem_seg.data[0].numpy()
    labels40 = expected_labels40(data[TEST[1] - 1][3]).astype(np.int64)
    np.testing.assert_array_equal(gt, np.where(labels40 == 0, 255, labels40 - 1))
    metres = load_depth(test.get_data_info(1), scale=0.001, normalize='none')
    np.testing.assert_allclose(metres, data[TEST[1] - 1][1], atol=5e-4)

    for config in ('pixdepth/pixdepth_r50_8xb32-500e_nyuv2-224x224.py',
                   'pixcontrast/pixcontrast_r50_8xb32-500e_nyuv2-224x224.py'):
        item = pretraining_item(config, out)
        assert [tuple(view.shape) for view in item['inputs']] == [(3, 224, 224)] * 2
        assert item['data_samples'].depth_cells.shape == (2, 7, 7)


def test_raw_depth_keeps_missing_pixels(nyu_files, tmp_path, tool_main):
    files, data = nyu_files
    out = str(tmp_path / 'raw')
    assert tool_main('dataset_converters/nyuv2.py')(
        files + [out, '--depth', 'rawDepths', '--no-progress']) == 0
    info = dict(img_path=osp.join(out, 'images', 'train', '0001.png'),
                depth_path=osp.join(out, 'depth', 'train', '0001.png'))
    metres = load_depth(info, scale=0.001, normalize='none')
    assert np.isnan(metres[0, :3]).all() and np.isfinite(metres).sum() == H * W - 3
    np.testing.assert_allclose(metres[1:], data[0][2][1:], atol=5e-4)


def test_browse_after_conversion(nyu_files, tmp_path, tool_main, repo_root, capsys):
    files, _ = nyu_files
    out = str(tmp_path / 'raw')
    tool_main('dataset_converters/nyuv2.py')(files + [out, '--depth', 'rawDepths',
                                                      '--no-progress'])
    figures = tmp_path / 'browse'
    browse = tool_main('misc/browse_dataset.py')
    assert browse([osp.join(repo_root, 'configs/_base_/datasets/nyuv2_seg.py'), '--data-root',
                   out, '--num', '2', '--out-dir', str(figures), '--height', '60']) == 0
    printed = capsys.readouterr().out
    assert 'NYUv2SegDataset (train): 3 samples' in printed
    assert 'depth 530..' in printed and '[mm], 6.2% invalid' in printed  # 3 of 48 px missing
    assert 'labels 6 classes (' in printed and 'wall' in printed
    figure = cv2.imread(str(figures / '00000_0001.png'))
    # 3 panels of 80x60 under 2 title lines, over a colour bar (depth) and a class key (labels)
    assert figure.shape[0] > 60 + 2 * 20 + 30 and figure.shape[1] == 3 * 80
    depth_panel = figure[40:, 80:160]
    assert np.all(depth_panel[:10, :30] == (255, 0, 255))  # the missing pixels, magenta

    # a pretraining config: image and depth, no labels
    assert browse([osp.join(repo_root, 'configs/pixdepth/pixdepth_r50_8xb32-500e_nyuv2-224x224.py'),
                   '--data-root', out, '--num', '1', '--out-dir', str(tmp_path / 'pre'),
                   '--height', '60']) == 0
    assert cv2.imread(str(tmp_path / 'pre' / '00000_0001.png')).shape[1] == 2 * 80


def test_errors_name_the_file_and_the_problem(nyu_files, tmp_path):
    files, data = nyu_files
    from mmpixdepth.datasets.converters.nyuv2 import convert_nyuv2
    broken = str(tmp_path / 'broken.mat')
    write_labeled_mat(broken, data, skip=('depths', ))
    with pytest.raises(ValueError, match=r'broken.mat lacks the dataset\(s\) depths of '
                                         'nyu_depth_v2_labeled.mat; it holds: '):
        convert_nyuv2(broken, files[1], files[2], str(tmp_path / 'o'), progress=False)
    whole = open(files[0], 'rb').read()
    for size in (len(whole) // 2, len(whole) - 1000):  # a cut header, cut frame data
        with open(tmp_path / 'cut.mat', 'wb') as f:
            f.write(whole[:size])
        with pytest.raises(ValueError, match=r'cannot read .*cut\.mat: .*; the file is truncated '
                           'or damaged'):
            convert_nyuv2(str(tmp_path / 'cut.mat'), files[1], files[2], str(tmp_path / 'o'),
                          progress=False)
    with pytest.raises(ValueError, match=r'splits.mat is not a MATLAB v7.3 \(HDF5\) file'):
        convert_nyuv2(files[2], files[1], files[2], str(tmp_path / 'o'), progress=False)
    with pytest.raises(ValueError, match=r'mapClass.* has 6 entries but the labelled set has '
                                         '9 classes'):
        load_class_mapping(files[1], num_classes=9)
    savemat(tmp_path / 'short.mat', dict(mapClass=np.array([MAP_CLASS[:4]])))
    with pytest.raises(ValueError, match='has 4 entries but the labelled set has 6 classes'):
        convert_nyuv2(files[0], str(tmp_path / 'short.mat'), files[2], str(tmp_path / 'o'),
                      progress=False)
    data[0][3][2, 5] = len(NAMES) + 1  # a class id the mapping does not know
    write_labeled_mat(str(tmp_path / 'ids.mat'), data)
    with pytest.raises(ValueError, match=r'ids.mat frame 1: class ids \[7\] are not in the class '
                                         'mapping'):
        convert_nyuv2(str(tmp_path / 'ids.mat'), files[1], files[2], str(tmp_path / 'o'),
                      progress=False)
    savemat(tmp_path / 'big.mat', dict(mapClass=np.array([[1, 2, 3, 4, 5, 41]])))
    with pytest.raises(ValueError, match=r'holds \[41\], outside the NYU40 ids 0..40'):
        load_class_mapping(str(tmp_path / 'big.mat'))
    with pytest.raises(ValueError, match="has no variable 'mapClass'; it holds: trainNdxs"):
        load_class_mapping(files[2])
    savemat(tmp_path / 'zero.mat', dict(trainNdxs=np.array([[0, 1]]), testNdxs=np.array([[2]])))
    with pytest.raises(ValueError, match=r'frame numbers \[0\] outside 1..5 \(one-based\)'):
        load_splits(str(tmp_path / 'zero.mat'), N)
    savemat(tmp_path / 'both.mat', dict(trainNdxs=np.array([[1, 2]]), testNdxs=np.array([[2]])))
    with pytest.raises(ValueError, match=r"frames \[2\] are in both 'trainNdxs' and 'testNdxs'"):
        load_splits(str(tmp_path / 'both.mat'), N)
