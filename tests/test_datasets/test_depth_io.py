"""Depth-map reading and writing: every format round-trips exactly; errors name the file."""
import re
import struct

import cv2
import numpy as np
import pytest
import tifffile

from mmpixdepth.fileio import SUPPORTED_SUFFIXES, read_depth, write_depth_png16
from helpers import write_pfm


def ramp(h=5, w=7, dtype=np.float32):
    return (np.arange(h * w, dtype=np.float64).reshape(h, w) * 1.25 - 3.5).astype(dtype)


def assert_same(actual, expected, wide=False):
    """The values of ``expected``: float32, float64 (``wide``) for a file of a type wider than
    float32 holds exactly."""
    assert actual.dtype == (np.float64 if wide else np.float32)
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(actual, expected.astype(actual.dtype))


def test_png16_keeps_values_above_255(tmp_path):
    depth = np.array([[0, 1, 255, 256], [1000, 4097, 40000, 65535]], dtype=np.uint16)
    path = tmp_path / 'd.png'
    write_depth_png16(path, depth)
    assert cv2.imread(str(path), cv2.IMREAD_UNCHANGED).dtype == np.uint16
    assert_same(read_depth(path), depth)
    assert_same(read_depth(str(path)), depth)


def test_png16_writer_accepts_whole_floats_and_refuses_the_rest(tmp_path):
    write_depth_png16(tmp_path / 'f.png', np.array([[0.0, 1234.0]]))
    assert_same(read_depth(tmp_path / 'f.png'), np.array([[0, 1234]]))
    for bad, message in [(np.array([[-1, 2]]), r'\[0, 65535\]'),
                         (np.array([[0, 70000]]), r'\[0, 65535\]'),
                         (np.array([[0.5, 2]]), 'fractions'),
                         (np.array([[np.nan, 2]]), 'NaN'),
                         (np.zeros((2, 2, 3)), 'shape')]:
        with pytest.raises(ValueError, match=message):
            write_depth_png16(tmp_path / 'bad.png', bad)


def test_png8(tmp_path):
    depth = np.arange(48, dtype=np.uint8).reshape(6, 8) * 5
    cv2.imwrite(str(tmp_path / 'd.png'), depth)
    assert_same(read_depth(tmp_path / 'd.png'), depth)


def test_png_channels_are_in_file_order(tmp_path):
    rgb = np.stack([np.full((3, 4), v, np.uint16) for v in (1000, 2000, 3000)], axis=-1)
    cv2.imwrite(str(tmp_path / 'rgb.png'), rgb[..., ::-1])  # OpenCV writes BGR
    for channel in range(3):
        assert_same(read_depth(tmp_path / 'rgb.png', channel=channel), rgb[..., channel])
    with pytest.raises(ValueError, match=re.escape(str(tmp_path / 'rgb.png')) + '.*3 channels'):
        read_depth(tmp_path / 'rgb.png')


@pytest.mark.parametrize('suffix', ['.tif', '.tiff', '.TIF'])
def test_float32_tiff(tmp_path, suffix):
    depth = ramp()
    depth[0, 0], depth[1, 2], depth[2, 3] = np.nan, np.inf, -np.inf
    tifffile.imwrite(tmp_path / f'd{suffix}', depth)
    out = read_depth(tmp_path / f'd{suffix}')
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, depth)  # NaN and inf kept as stored


@pytest.mark.parametrize('dtype', [np.float32, np.uint16])
def test_tiff_written_by_opencv(tmp_path, dtype):
    depth = ramp(4, 9) if dtype == np.float32 else np.arange(36, dtype=dtype).reshape(4, 9) * 99
    assert cv2.imwrite(str(tmp_path / 'd.tiff'), depth)  # 16 bits: LZW-compressed
    assert_same(read_depth(tmp_path / 'd.tiff'), depth)


@pytest.mark.parametrize('planarconfig', ['contig', 'separate'])
def test_multichannel_tiff(tmp_path, planarconfig):
    stack = np.stack([ramp(), ramp() * 2, ramp() * 3], axis=-1)
    data = stack if planarconfig == 'contig' else np.moveaxis(stack, -1, 0)
    tifffile.imwrite(tmp_path / 'd.tif', data, planarconfig=planarconfig, photometric='rgb')
    for channel in range(3):
        assert_same(read_depth(tmp_path / 'd.tif', channel=channel), stack[..., channel])
    with pytest.raises(ValueError, match='3 channels.*channel='):
        read_depth(tmp_path / 'd.tif')


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.int16, np.uint16, np.int32])
def test_npy(tmp_path, dtype):
    depth = ramp(dtype=np.float64)
    depth = depth if np.issubdtype(dtype, np.floating) else np.round(depth) + 10
    np.save(tmp_path / 'd.npy', depth.astype(dtype))
    assert_same(read_depth(tmp_path / 'd.npy'), depth.astype(dtype),
                wide=dtype in (np.float64, np.int32))


def test_npy_channels(tmp_path):
    stack = np.stack([ramp(), -ramp()], axis=-1)
    np.save(tmp_path / 'one.npy', stack[..., :1])
    np.save(tmp_path / 'two.npy', stack)
    assert_same(read_depth(tmp_path / 'one.npy'), stack[..., 0])
    assert_same(read_depth(tmp_path / 'two.npy', channel=1), stack[..., 1])
    with pytest.raises(ValueError, match='two.npy has 2 channels'):
        read_depth(tmp_path / 'two.npy')
    with pytest.raises(ValueError, match='two.npy has 2 channels; channel=2 does not exist'):
        read_depth(tmp_path / 'two.npy', channel=2)


def test_npy_refuses_pickles_and_odd_shapes(tmp_path):
    np.save(tmp_path / 'obj.npy', np.array([{'a': 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match='could not decode depth file .*obj.npy'):
        read_depth(tmp_path / 'obj.npy')
    np.save(tmp_path / 'vol.npy', np.zeros((2, 3, 4, 5), np.float32))
    with pytest.raises(ValueError, match=r'vol.npy holds an array of shape \(2, 3, 4, 5\)'):
        read_depth(tmp_path / 'vol.npy')


def pfm_bytes(kind, rows_top_to_bottom, little_endian, scale=1.0):
    """A PFM file built by hand from the format description (rows stored bottom to top)."""
    rows = np.asarray(rows_top_to_bottom, dtype=np.float32)
    height, width = rows.shape[:2]
    scale = -scale if little_endian else scale
    fmt = ('<' if little_endian else '>') + 'f' * rows[0].size
    data = b''.join(struct.pack(fmt, *row.ravel()) for row in rows[::-1])
    return f'{kind}\n{width} {height}\n{scale}\n'.encode() + data


@pytest.mark.parametrize('little_endian', [True, False])
def test_pfm_read_follows_the_format(tmp_path, little_endian):
    rows = [[1.5, 2.0, -3.0], [4.0, 5.25, 6.0]]
    (tmp_path / 'd.pfm').write_bytes(pfm_bytes('Pf', rows, little_endian))
    assert_same(read_depth(tmp_path / 'd.pfm'), np.array(rows))


@pytest.mark.parametrize('little_endian, scale', [(True, 2.5), (False, 0.01)])
def test_pfm_values_are_read_as_stored_whatever_the_scale(tmp_path, little_endian, scale):
    rows = [[1.5, np.inf, -3.0], [4.0, 5.25, 6.0]]
    (tmp_path / 'd.pfm').write_bytes(pfm_bytes('Pf', rows, little_endian, scale))
    assert_same(read_depth(tmp_path / 'd.pfm'), np.array(rows))


@pytest.mark.parametrize('little_endian', [True, False])
def test_pfm_round_trip(tmp_path, little_endian):
    depth = ramp()
    depth[3, 4] = np.inf
    write_pfm(tmp_path / 'd.pfm', depth, little_endian=little_endian)
    header = (tmp_path / 'd.pfm').read_bytes()[:16]
    assert header.startswith(b'Pf\n7 5\n' + (b'-1.0\n' if little_endian else b'1.0\n'))
    assert_same(read_depth(tmp_path / 'd.pfm'), depth)


@pytest.mark.parametrize('little_endian', [True, False])
def test_pfm_three_channels(tmp_path, little_endian):
    stack = np.stack([ramp(), ramp() + 100, ramp() - 100], axis=-1)
    write_pfm(tmp_path / 'c.pfm', stack, little_endian=little_endian)
    assert (tmp_path / 'c.pfm').read_bytes().startswith(b'PF\n')
    for channel in range(3):
        assert_same(read_depth(tmp_path / 'c.pfm', channel=channel), stack[..., channel])
    with pytest.raises(ValueError, match=re.escape(str(tmp_path / 'c.pfm')) + ' has 3 channels'):
        read_depth(tmp_path / 'c.pfm')
    (tmp_path / 'm.pfm').write_bytes(pfm_bytes('PF', [[[1, 2, 3], [4, 5, 6]]], little_endian))
    assert_same(read_depth(tmp_path / 'm.pfm', channel=2), np.array([[3, 6]]))


def test_pfm_writer_refuses_other_shapes(tmp_path):
    with pytest.raises(ValueError, match='shape'):
        write_pfm(tmp_path / 'x.pfm', np.zeros((2, 2, 2)))


@pytest.mark.parametrize('content, message', [
    (b'P6\n2 2\n255\n' + bytes(12), 'not a PFM file'),
    (pfm_bytes('Pf', [[1, 2], [3, 4]], True)[:-3], 'holds 13 bytes'),
    (b'Pf\n2 1\n0\n' + bytes(8), 'scale is 0'),
    (b'Pf\n2 1\nabc\n' + bytes(8), 'not a number'),
])
def test_corrupt_pfm(tmp_path, content, message):
    (tmp_path / 'bad.pfm').write_bytes(content)
    with pytest.raises(ValueError, match='could not decode depth file .*bad.pfm: .*' + message):
        read_depth(tmp_path / 'bad.pfm')


@pytest.mark.parametrize('name', ['bad.png', 'bad.tif', 'bad.npy', 'empty.png'])
def test_corrupt_file(tmp_path, name):
    (tmp_path / name).write_bytes(b'' if name.startswith('empty') else b'\x89PNG garbage' * 7)
    with pytest.raises(ValueError,
                       match='could not decode depth file ' + re.escape(str(tmp_path / name))):
        read_depth(tmp_path / name)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / 'nope.png'))):
        read_depth(tmp_path / 'nope.png')


def test_unsupported_suffix(tmp_path):
    (tmp_path / 'd.jpg').write_bytes(b'x')
    with pytest.raises(ValueError, match=r"unsupported depth file suffix '\.jpg' for .*d\.jpg; "
                       r'supported: \.png, \.tif, \.tiff, \.npy, \.pfm'):
        read_depth(tmp_path / 'd.jpg')
    assert SUPPORTED_SUFFIXES == ('.png', '.tif', '.tiff', '.npy', '.pfm')


def test_single_channel_accepts_channel_zero_only(tmp_path):
    np.save(tmp_path / 'd.npy', ramp())
    assert_same(read_depth(tmp_path / 'd.npy', channel=0), ramp())
    with pytest.raises(ValueError, match='d.npy has 1 channel; channel=1 does not exist'):
        read_depth(tmp_path / 'd.npy', channel=1)
