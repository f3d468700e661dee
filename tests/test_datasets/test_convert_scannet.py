"""ScanNet converter on .sens files written byte by byte in the documented layout, label
archives and a label table in ScanNet's format, round-tripped through ScanNetFramesDataset
and LoadDepthFromFile; the scannet_frames_25k check; the errors on broken files."""
import contextlib
import io
import os
import os.path as osp
import shutil
import struct
import zipfile
import zlib

import cv2
import numpy as np
import pytest
from mmengine.registry import DefaultScope
from mmseg.registry import DATASETS, TRANSFORMS

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets.converters.scannet import (SensReader, convert_sens, read_label_table,
                                                    read_scene_list)
from mmpixdepth.utils import load_config

COLOR_W, COLOR_H, DEPTH_W, DEPTH_H = 64, 48, 32, 24
NUM_FRAMES = 5
#: the colours of the four quadrants of every colour frame (BGR), to check orientation
QUADRANTS = [[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (255, 255, 255)]]
TSV_COLUMNS = ('id', 'raw_category', 'category', 'count', 'nyu40id', 'eigen13id', 'nyuClass',
               'nyu40class', 'eigen13class', 'ModelNet40', 'ModelNet10', 'ShapeNetCore55',
               'synsetoffset', 'wnsynsetid', 'wnsynsetkey', 'mpcat40', 'mpcat40index')
#: ScanNet label id -> (raw category, NYU40 id); 0 stays unannotated
LABELS = {1: ('wall', 1), 2: ('chair', 5), 3: ('desk', 14), 5: ('kitchen cabinet', 39),
          7: ('cup', 40)}
#: NYU40 id -> class of the 20-class benchmark (255: ignored)
BENCHMARK = {0: 255, 1: 0, 5: 4, 14: 12, 39: 19, 40: 255}
INTRINSIC_COLOR = np.array([[20, 0, 8, 0], [0, 21, 6, 0], [0, 0, 1, 0], [0, 0, 0, 1]], np.float32)
INTRINSIC_DEPTH = np.array([[10, 0, 4, 0], [0, 11, 3, 0], [0, 0, 1, 0], [0, 0, 0, 1]], np.float32)


def color_frame():
    img = np.zeros((COLOR_H, COLOR_W, 3), np.uint8)
    for r in range(2):
        for c in range(2):
            img[r * COLOR_H // 2:(r + 1) * COLOR_H // 2,
                c * COLOR_W // 2:(c + 1) * COLOR_W // 2] = QUADRANTS[r][c]
    return img


def depth_frame(index, shift):
    """Raw depth (metres x shift) with a missing pixel; distinct per row, column and frame."""
    rows, cols = np.mgrid[0:DEPTH_H, 0:DEPTH_W]
    metres = 0.5 + 0.25 * rows + 0.05 * cols + 0.001 * index
    raw = np.round(metres * shift).astype(np.uint16)
    raw[0, 0] = 0
    return raw


def label_frame(index):
    """ScanNet ids at the colour size, constant on 2x2 blocks (exact under any resize)."""
    ids = np.array([0] + list(LABELS), np.uint16)
    rows, cols = np.mgrid[0:DEPTH_H, 0:DEPTH_W]
    return np.kron(ids[(rows + cols + index) % ids.size], np.ones((2, 2), np.uint16))


def pose(index):
    matrix = np.eye(4, dtype=np.float32)
    matrix[:3, 3] = (index, 2 * index, -0.5)
    return matrix


def write_sens(path, shift=1000.0, version=4, frames=NUM_FRAMES, truncate=0, depth=None):
    """A .sens file in ScanNet's layout (little endian): header, frames, no IMU frames; ``depth``
    replaces the compressed depth of every frame."""
    name = b'StructureSensor'
    out = io.BytesIO()
    out.write(struct.pack('<IQ', version, len(name)) + name)
    for matrix in (INTRINSIC_COLOR, np.eye(4), INTRINSIC_DEPTH, np.eye(4)):
        out.write(np.asarray(matrix, '<f4').tobytes())
    out.write(struct.pack('<iiIIIIfQ', 2, 1, COLOR_W, COLOR_H, DEPTH_W, DEPTH_H, shift, frames))
    for index in range(frames):
        color = cv2.imencode('.jpg', color_frame(), [cv2.IMWRITE_JPEG_QUALITY, 100])[1].tobytes()
        compressed = depth or zlib.compress(depth_frame(index, shift).astype('<u2').tobytes())
        out.write(np.asarray(pose(index), '<f4').tobytes())
        out.write(struct.pack('<QQQQ', 1000 * index, 1000 * index + 5, len(color),
                              len(compressed)))
        out.write(color + compressed)
    out.write(struct.pack('<Q', 0))
    data = out.getvalue()
    with open(path, 'wb') as file:
        file.write(data[:len(data) - truncate])


def write_label_zip(path, unknown_id=None):
    with zipfile.ZipFile(path, 'w') as archive:
        for index in range(NUM_FRAMES):
            ids = label_frame(index)
            if unknown_id is not None:
                ids[0, 0] = unknown_id
            archive.writestr(f'label-filt/{index}.png', cv2.imencode('.png', ids)[1].tobytes())


def write_tsv(path, columns=TSV_COLUMNS):
    lines = ['\t'.join(columns)]
    for label_id, (raw, nyu40) in LABELS.items():
        values = dict(zip(TSV_COLUMNS, [str(label_id), raw, raw, '10', str(nyu40)] + ['x'] * 12))
        lines.append('\t'.join(values[column] for column in columns))
    path.write_text('\n'.join(lines) + '\n')


@pytest.fixture
def scannet_download(tmp_path):
    """scans/ with a train scene (depth shift 1000) and a val scene (shift 4000), the label
    table and the split files (listing a train scene that is not downloaded)."""
    scans = tmp_path / 'scans'
    for scene, shift in (('scene0000_00', 1000.0), ('scene0001_00', 4000.0)):
        os.makedirs(scans / scene)
        write_sens(scans / scene / f'{scene}.sens', shift)
        write_label_zip(scans / scene / f'{scene}_2d-label-filt.zip')
    write_tsv(tmp_path / 'scannetv2-labels.combined.tsv')
    splits = tmp_path / 'Benchmark'
    os.makedirs(splits)
    (splits / 'scannetv2_train.txt').write_text('scene0000_00\nscene0002_00\n')
    (splits / 'scannetv2_val.txt').write_text('scene0001_00\n')
    return tmp_path


def convert(tool_main, root, out, *extra):
    return tool_main('dataset_converters/scannet.py')(
        ['sens', str(root / 'scans'), str(out), '--splits', str(root / 'Benchmark'),
         '--label-map', str(root / 'scannetv2-labels.combined.tsv'), '--every', '2',
         '--no-progress', *extra])


def nyu40(ids):
    lut = np.zeros(max(LABELS) + 1, np.uint8)
    for label_id, (_, value) in LABELS.items():
        lut[label_id] = value
    return lut[ids]


def test_sens_conversion_and_round_trip(scannet_download, tmp_path, tool_main, repo_root, capsys,
                                        pretraining_item):
    out = tmp_path / 'scannet'
    assert convert(tool_main, scannet_download, out) == 0
    printed = capsys.readouterr().out
    assert 'train: 1 scenes, 1 listed scenes absent' in printed and 'frames: 6' in printed
    assert read_scene_list(str(out / 'scannetv2_train.txt')) == ['scene0000_00']
    assert read_scene_list(str(out / 'scannetv2_val.txt')) == ['scene0001_00']
    for scene, shift in (('scene0000_00', 1000), ('scene0001_00', 4000)):
        folder = out / scene
        assert sorted(os.listdir(folder / 'color')) == ['000000.jpg', '000002.jpg', '000004.jpg']
        for index in (0, 2, 4):
            stem = f'{index:06d}'
            color = cv2.imread(str(folder / 'color' / f'{stem}.jpg'))
            assert color.shape == (DEPTH_H, DEPTH_W, 3)  # resized to the depth size
            for r in range(2):
                for c in range(2):
                    # the inside of each quadrant (JPEG blurs colour edges)
                    block = color[r * 12 + 3:(r + 1) * 12 - 3,
                                  c * 16 + 4:(c + 1) * 16 - 4].reshape(-1, 3)
                    assert np.abs(block.astype(int) - QUADRANTS[r][c]).max() < 40, (r, c)
            depth = cv2.imread(str(folder / 'depth' / f'{stem}.png'), cv2.IMREAD_UNCHANGED)
            assert depth.dtype == np.uint16
            expected_mm = np.round(depth_frame(index, shift) * (1000 / shift))
            np.testing.assert_array_equal(depth, expected_mm)  # millimetres, whatever the shift
            label = cv2.imread(str(folder / 'label' / f'{stem}.png'), cv2.IMREAD_UNCHANGED)
            np.testing.assert_array_equal(label, nyu40(label_frame(index)[::2, ::2]))
            np.testing.assert_allclose(np.loadtxt(folder / 'pose' / f'{stem}.txt'), pose(index))
        np.testing.assert_allclose(np.loadtxt(folder / 'intrinsics_depth.txt'), INTRINSIC_DEPTH)
        scaled = INTRINSIC_COLOR.copy()
        scaled[:2, :3] /= 2  # the colour frames are half size now
        np.testing.assert_allclose(np.loadtxt(folder / 'intrinsics_color.txt'), scaled)

    cfg = load_config(osp.join(repo_root, 'configs/_base_/datasets/scannet_frames_seg.py'))
    with DefaultScope.overwrite_default_scope('mmseg'):
        val = DATASETS.build(dict(cfg.val_dataloader.dataset, data_root=str(out)))
        item = val[1]
        info = val.get_data_info(1)
        results = TRANSFORMS.build(dict(type='LoadImageFromFile'))(dict(info))
        results = TRANSFORMS.build(dict(type='LoadDepthFromFile', scale=0.001,
                                        normalize='none'))(results)
    assert len(val) == 3 and info['img_path'].endswith('scene0001_00/color/000002.jpg')
    gt = item['data_samples'].gt_sem_seg.data[0].numpy()
    benchmark = np.vectorize(BENCHMARK.get)(nyu40(label_frame(2)[::2, ::2]))
    np.testing.assert_array_equal(gt, benchmark)  # ScanNet id -> NYU40 -> 20 classes
    metres = results['depth']
    assert np.isnan(metres[0, 0]) and np.isfinite(metres).sum() == DEPTH_W * DEPTH_H - 1
    np.testing.assert_allclose(metres[1:], depth_frame(2, 4000)[1:] / 4000, atol=5e-4)

    item = pretraining_item('pixdepth/pixdepth_r18_8xb32-500e_scannet-224x224.py', str(out))
    assert [tuple(view.shape) for view in item['inputs']] == [(3, 224, 224)] * 2
    assert item['data_samples'].img_path.endswith('scene0000_00/color/000000.jpg')


def test_frames_25k_layout(scannet_download, tmp_path, tool_main, capsys):
    out = tmp_path / 'scannet'
    convert(tool_main, scannet_download, out)
    for split in ('train', 'val'):
        os.remove(out / f'scannetv2_{split}.txt')
    frames25k = tool_main('dataset_converters/scannet.py')
    splits = str(scannet_download / 'Benchmark')
    assert frames25k(['frames25k', str(out), '--splits', splits, '--no-progress']) == 0
    assert 'val: 1 scenes, 0 listed scenes absent' in capsys.readouterr().out
    assert read_scene_list(str(out / 'scannetv2_val.txt')) == ['scene0001_00']

    label = out / 'scene0001_00' / 'label' / '000002.png'
    cv2.imwrite(str(label), np.full((DEPTH_H, DEPTH_W), 41, np.uint8))  # not a NYU40 id
    assert frames25k(['frames25k', str(out), '--splits', splits, '--no-progress']) == 1
    assert 'is not a single-channel image of NYU40 ids 0..40' in capsys.readouterr().err
    cv2.imwrite(str(label), np.zeros((DEPTH_H, DEPTH_W + 1), np.uint8))
    assert frames25k(['frames25k', str(out), '--splits', splits, '--no-progress']) == 1
    assert 'frame 000002 of scene0001_00: sizes (HxW) differ' in capsys.readouterr().err


def test_sens_reader_errors(tmp_path):
    write_sens(tmp_path / 'v3.sens', version=3)
    with pytest.raises(ValueError, match=r'v3.sens: .sens version 3, expected 4'):
        SensReader(str(tmp_path / 'v3.sens'))
    write_sens(tmp_path / 'cut.sens', truncate=2000)
    with contextlib.closing(SensReader(str(tmp_path / 'cut.sens'))) as sens:
        assert sens.header.depth_size == (DEPTH_W, DEPTH_H) and sens.header.num_frames == 5
        assert sens.header.color_compression == 'jpeg' and sens.header.depth_shift == 1000
        with pytest.raises(ValueError, match=r'cut.sens: frame \d announces .* more than the '
                                             'file holds|cut.sens is truncated'):
            list(sens.frames())
    (tmp_path / 'empty.sens').write_bytes(b'\x04\x00')
    with pytest.raises(ValueError, match='empty.sens is truncated: the header needs 12 bytes'):
        SensReader(str(tmp_path / 'empty.sens'))


def test_label_errors(scannet_download, tmp_path, tool_main, capsys):
    scene = scannet_download / 'scans' / 'scene0000_00'
    lut = read_label_table(str(scannet_download / 'scannetv2-labels.combined.tsv'))
    assert lut.tolist() == [0, 1, 5, 14, -1, 39, -1, 40]
    write_label_zip(tmp_path / 'unknown.zip', unknown_id=4)
    with pytest.raises(ValueError, match=r'unknown.zip frame 0: label ids \[4\] are not in the '
                                         'label table'):
        convert_sens(str(scene / 'scene0000_00.sens'), str(tmp_path / 'o'), 2,
                     str(tmp_path / 'unknown.zip'), lut)
    with zipfile.ZipFile(tmp_path / 'small.zip', 'w') as archive:
        small = cv2.imencode('.png', np.zeros((5, 7), np.uint16))[1].tobytes()
        archive.writestr('label-filt/0.png', small)
    with pytest.raises(ValueError, match=r'small.zip: the label image of frame 0 is 7x5, neither '
                                         r'the colour \(64x48\) nor the depth size \(32x24\)'):
        convert_sens(str(scene / 'scene0000_00.sens'), str(tmp_path / 'o'), 2,
                     str(tmp_path / 'small.zip'), lut)
    write_tsv(scannet_download / 'scannetv2-labels.combined.tsv', TSV_COLUMNS[:4])
    assert convert(tool_main, scannet_download, tmp_path / 'o2') == 1
    assert 'has no column nyu40id (columns: id, raw_category, category, count)' in \
        capsys.readouterr().err

    shutil.rmtree(scannet_download / 'scans')
    write_tsv(scannet_download / 'scannetv2-labels.combined.tsv')
    assert convert(tool_main, scannet_download, tmp_path / 'o3') == 1
    assert 'has a SCENE/SCENE.sens file in' in capsys.readouterr().err


def test_a_depth_frame_larger_than_its_header_is_refused_before_allocation(tmp_path):
    import tracemalloc
    bomb = zlib.compress(b'\0' * (200 << 20), 9)  # 200 MB from about 200 KB
    write_sens(tmp_path / 'bomb.sens', frames=1, depth=bomb)
    with contextlib.closing(SensReader(str(tmp_path / 'bomb.sens'))) as sens:
        (frame, ) = sens.frames()
        tracemalloc.start()
        with pytest.raises(ValueError, match=r'bomb.sens frame 0: depth decompresses to more than '
                           r'the 32x24 uint16 \(1536 bytes\) of the header'):
            sens.decode_depth(frame)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 1 << 20, f'{peak} bytes allocated'


def test_a_scene_that_fails_half_way_leaves_nothing(scannet_download, tmp_path):
    scene = scannet_download / 'scans' / 'scene0000_00'
    lut = read_label_table(str(scannet_download / 'scannetv2-labels.combined.tsv'))
    out = tmp_path / 'out' / 'scene0000_00'
    with zipfile.ZipFile(tmp_path / 'labels.zip', 'w') as archive:  # frame 0 only
        archive.writestr('label-filt/0.png', cv2.imencode('.png', label_frame(0))[1].tobytes())
    with pytest.raises(Exception, match='labels.zip'):
        convert_sens(str(scene / 'scene0000_00.sens'), str(out), 2, str(tmp_path / 'labels.zip'),
                     lut)
    assert os.listdir(tmp_path / 'out') == []  # neither the scene nor its temporary folder
    assert convert_sens(str(scene / 'scene0000_00.sens'), str(out), 2) == 3
    assert sorted(os.listdir(out)) == ['color', 'depth', 'intrinsics_color.txt',
                                       'intrinsics_depth.txt', 'pose']


def test_one_depth_unit_contract_for_every_converter():
    """Metres -> millimetres: missing stays 0, beyond 65.535 m is an error naming the frame."""
    from mmpixdepth.datasets.converters.depth_units import metres_to_mm
    depth = np.array([[0., np.nan, 1.2345, 65.535]])
    assert metres_to_mm(depth, 'x').tolist() == [[0, 0, 1234, 65535]]
    with pytest.raises(ValueError, match=r'scene.sens frame 3: depth up to 70 m does not fit'):
        metres_to_mm(np.array([[70.]]), 'scene.sens frame 3')
