"""Reading and writing depth maps.

:func:`read_depth` returns the raw values stored in a file as a float ``(H, W)`` array, without
scaling or masking: units and invalid values are the dataset's convention (see
:class:`mmpixdepth.datasets.transforms.LoadDepthFromFile`). Files are fetched through
:func:`mmengine.fileio.get`, so every mmengine file backend works.

Supported formats, chosen by the file suffix (case-insensitive):

- ``.png``: 8- or 16-bit, decoded unchanged (a 16-bit PNG keeps its 16 bits).
- ``.tif`` / ``.tiff``: any sample type, float32 included (tifffile, else OpenCV).
- ``.npy``: a numeric ``(H, W)`` or ``(H, W, C)`` array (``numpy.load``, no pickled objects).
- ``.pfm``: ``Pf`` (1 channel) or ``PF`` (3 channels) float32, either byte order, rows stored
  bottom to top (header checked here, data decoded by OpenCV); values as stored, the magnitude
  of the scale is ignored.

Multi-channel data is indexed in the file's channel order (R, G, B, A for PNG and TIFF).
"""
import io
import os.path as osp
import re

import cv2
import mmcv
import mmengine.fileio as fileio
import numpy as np
import tifffile

SUPPORTED_SUFFIXES = ('.png', '.tif', '.tiff', '.npy', '.pfm')

_PFM_HEADER = re.compile(rb'(P[Ff])\s+(\d+)\s+(\d+)\s+(\S+)\s')


def _to_file_channel_order(array):
    """OpenCV decodes colour as BGR(A); return R, G, B(, A) order."""
    if array.ndim == 3 and array.shape[2] in (3, 4):
        order = [2, 1, 0, 3][:array.shape[2]]
        return array[..., order]
    return array


def _decode_cv2(content):
    array = mmcv.imfrombytes(content, flag='unchanged', backend='cv2')
    if array is None:
        raise ValueError('OpenCV cannot decode the data')
    return _to_file_channel_order(array)


def _decode_tiff(content):
    try:  # tifffile first: OpenCV mixes up the planes of separate-plane TIFFs.
        with tifffile.TiffFile(io.BytesIO(content)) as tif:
            series = tif.series[0]
            array = series.asarray()
            axes = series.axes
    except Exception as tiff_error:
        # tifffile needs the optional imagecodecs for LZW (OpenCV's default) and other codecs.
        try:
            return _decode_cv2(content)
        except Exception:
            raise ValueError(f'tifffile: {tiff_error}') from tiff_error
    if array.ndim == 3 and not axes.endswith('S'):
        # Planes (separate samples or pages) first: make them the channel axis.
        array = np.moveaxis(array, 0, -1)
    return array


def _decode_npy(content):
    return np.load(io.BytesIO(content), allow_pickle=False)


def _decode_pfm(content):
    # Header checked here: OpenCV names no reason, ignores extra bytes and sniffs other formats.
    header = _PFM_HEADER.match(content)
    if header is None:
        raise ValueError('not a PFM file (expected a "PF" or "Pf" header, then width, height '
                         'and scale)')
    kind, width, height, scale = header.groups()
    width, height = int(width), int(height)
    try:
        scale = float(scale)
    except ValueError:
        raise ValueError(f'PFM scale {scale.decode(errors="replace")!r} is not a number') from None
    if scale == 0:
        raise ValueError('PFM scale is 0, so the byte order is undefined')
    channels = 3 if kind == b'PF' else 1
    data = content[header.end():]
    expected = width * height * channels * 4
    if len(data) != expected:
        raise ValueError(f'PFM header announces {width}x{height}x{channels} float32 '
                         f'({expected} bytes of data) but the file holds {len(data)} bytes')
    # OpenCV divides the values by |scale|; keep only its sign (the byte order) to get them raw.
    header = b'%s\n%d %d\n%d\n' % (kind, width, height, -1 if scale < 0 else 1)
    return _decode_cv2(header + data)


_DECODERS = {
    '.png': _decode_cv2,
    '.tif': _decode_tiff,
    '.tiff': _decode_tiff,
    '.npy': _decode_npy,
    '.pfm': _decode_pfm,
}


def _select_channel(array, channel, path):
    if array.ndim == 3 and array.shape[2] == 1 and channel is None:
        return array[..., 0]
    if array.ndim == 2:
        if channel not in (None, 0):
            raise ValueError(f'depth file {path} has 1 channel; channel={channel} does not exist')
        return array
    if array.ndim != 3:
        raise ValueError(f'depth file {path} holds an array of shape {array.shape}; expected '
                         '(H, W) or (H, W, C)')
    num_channels = array.shape[2]
    if channel is None:
        raise ValueError(f'depth file {path} has {num_channels} channels; set channel= to the '
                         f'index (0..{num_channels - 1}) of the one holding depth')
    if not 0 <= channel < num_channels:
        raise ValueError(f'depth file {path} has {num_channels} channels; channel={channel} '
                         'does not exist')
    return array[..., channel]


def read_depth(path, channel=None, backend_args=None):
    """Read the raw values of a depth map.

    Args:
        path (str | Path): The depth file; its suffix selects the format.
        channel (int, optional): The channel holding depth in a multi-channel file (0-based,
            file order). Required when the file has more than one channel. Defaults to None.
        backend_args (dict, optional): Arguments of the mmengine file backend. Defaults to None.

    Returns:
        np.ndarray: ``(H, W)`` raw values, unscaled; NaN/inf are kept as stored. float32 for
        types that float32 holds exactly (up to 16-bit integers, float16, float32), float64 for
        wider ones (32/64-bit integers, float64), so that no depth difference is lost.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The suffix is unsupported, the file cannot be decoded, or it has several
            channels and ``channel`` is not given (or does not exist).
    """
    path = str(path)
    suffix = osp.splitext(path)[1].lower()
    if suffix not in _DECODERS:
        raise ValueError(f'unsupported depth file suffix {suffix!r} for {path}; supported: '
                         f'{", ".join(SUPPORTED_SUFFIXES)}')
    try:
        content = fileio.get(path, backend_args=backend_args)
    except FileNotFoundError:
        raise FileNotFoundError(f'depth file not found: {path}') from None
    try:
        array = _DECODERS[suffix](content)
    except Exception as error:
        raise ValueError(f'could not decode depth file {path}: {error}') from error
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
            or array.dtype == np.bool_):
        raise ValueError(f'depth file {path} holds {array.dtype} values; expected numbers')
    wide = array.dtype.itemsize > 2 and array.dtype != np.float32
    return _select_channel(array, channel, path).astype(np.float64 if wide else np.float32)


def write_depth_png16(path, array):
    """Write a single-channel 16-bit PNG.

    Args:
        path (str | Path): Output file (parent folders are created).
        array (np.ndarray): ``(H, W)`` whole numbers in ``[0, 65535]`` (e.g. depth in mm with
            0 for missing pixels); any numeric dtype.
    """
    array = np.asarray(array)
    if array.ndim != 2:
        raise ValueError(f'a depth PNG holds an (H, W) array, got shape {array.shape}')
    if not np.all(np.isfinite(array)):
        raise ValueError(f'cannot write NaN or inf to the 16-bit PNG {path}; map invalid '
                         'pixels to a value such as 0 first')
    if array.size and (array.min() < 0 or array.max() > 65535):
        raise ValueError(f'a 16-bit PNG holds values in [0, 65535]; the values for {path} span '
                         f'[{array.min()}, {array.max()}]')
    if np.any(array != np.round(array)):
        raise ValueError(f'a 16-bit PNG holds whole numbers; the values for {path} have '
                         'fractions (scale them, e.g. metres to millimetres, and round)')
    ok, encoded = cv2.imencode('.png', array.astype(np.uint16))
    if not ok:
        raise ValueError(f'OpenCV could not encode {path} as PNG')
    fileio.put(encoded.tobytes(), str(path))


def write_depth_tiff(path, array):
    """Write a single-channel float32 TIFF (e.g. transit time with 0 for missing pixels).

    Args:
        path (str | Path): Output file (parent folders are created).
        array (np.ndarray): ``(H, W)`` finite values; stored as float32.
    """
    array = np.asarray(array, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError(f'a depth TIFF holds an (H, W) array, got shape {array.shape}')
    if not np.all(np.isfinite(array)):
        raise ValueError(f'cannot write NaN or inf to the TIFF {path}; map invalid pixels to a '
                         'value such as 0 first')
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, array)
    fileio.put(buffer.getvalue(), str(path))
