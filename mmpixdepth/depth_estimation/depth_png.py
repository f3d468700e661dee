"""Predicted depth maps as 16-bit PNG files with metadata.

Each map is normalised on its own to the full 16-bit range: the smallest value of the prediction
becomes 0 and the largest 65535 (a constant map is all 0). A PNG ``tEXt`` chunk with the keyword
``mmpixdepth`` holds JSON metadata:

- ``model``: the model as given to the tool; ``model_type``: e.g. 'dpt', 'depth_anything',
  'torchscript', 'torch_module'
- ``output_kind``: 'depth' (larger = farther) or 'inverse_depth' (larger = nearer)
- ``min``, ``max``: the range of the prediction (model units), so that
  ``value = min + png / 65535 * (max - min)`` (see :func:`decode_depth_png`)
- ``image``: the image path relative to the image folder
"""
import json
import struct
import zlib

import cv2
import numpy as np

META_KEY = 'mmpixdepth'
MAX_VALUE = 65535
_SIGNATURE = b'\x89PNG\r\n\x1a\n'
_IHDR_END = len(_SIGNATURE) + 25  # length, type, 13 bytes of data, CRC
_IEND = b'\x00\x00\x00\x00IEND\xaeB`\x82'


def _chunk(kind, body):
    crc = zlib.crc32(kind + body) & 0xffffffff
    return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', crc)


def encode_depth_png(depth, metadata):
    """Encode a prediction as a normalised 16-bit PNG with metadata.

    Args:
        depth (np.ndarray): ``(H, W)`` finite prediction, any float or int dtype.
        metadata (dict): JSON-serialisable entries; ``min`` and ``max`` of ``depth`` are added.

    Returns:
        bytes: The PNG file, single channel, 16 bits.
    """
    depth = np.asarray(depth, dtype=np.float64)
    if depth.ndim != 2 or depth.size == 0:
        raise ValueError(f'a depth map is a non-empty (H, W) array, got shape {depth.shape}')
    if not np.isfinite(depth).all():
        raise ValueError('the prediction holds NaN or inf values (with --amp: try without)')
    low, high = float(depth.min()), float(depth.max())
    scaled = (depth - low) * (MAX_VALUE / (high - low)) if high > low else np.zeros_like(depth)
    ok, encoded = cv2.imencode('.png', np.clip(np.rint(scaled), 0, MAX_VALUE).astype(np.uint16))
    if not ok:
        raise ValueError('OpenCV could not encode the depth map as PNG')
    text = json.dumps(dict(metadata, min=low, max=high), sort_keys=True)  # ASCII: valid tEXt
    data = encoded.tobytes()
    meta_chunk = _chunk(b'tEXt', META_KEY.encode() + b'\0' + text.encode('ascii'))
    return data[:_IHDR_END] + meta_chunk + data[_IHDR_END:]


def read_depth_png_metadata(path):
    """The metadata dict stored by :func:`encode_depth_png` in the PNG ``path``."""
    with open(path, 'rb') as f:
        data = f.read()
    offset = len(_SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack('>I4s', data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b'tEXt' and body.startswith(META_KEY.encode() + b'\0'):
            return json.loads(body[len(META_KEY) + 1:].decode('latin-1'))
        if kind in (b'IDAT', b'IEND'):
            break
        offset += 12 + length
    raise ValueError(f'{path} holds no {META_KEY!r} metadata chunk')


def decode_depth_png(path):
    """Read a PNG written by :func:`encode_depth_png` back in model units.

    Returns:
        tuple[np.ndarray, dict]: float64 ``(H, W)`` prediction (``output_kind`` of the metadata
        says whether it is depth or inverse depth) and the metadata.
    """
    metadata = read_depth_png_metadata(path)
    raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if raw is None or raw.dtype != np.uint16 or raw.ndim != 2:
        raise ValueError(f'{path} is not a single-channel 16-bit PNG')
    return metadata['min'] + raw / MAX_VALUE * (metadata['max'] - metadata['min']), metadata


def is_valid_depth_png(path, size):
    """Whether ``path`` is a complete, decodable single-channel 16-bit PNG of ``size`` (H, W)."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError:
        return False
    if not (data.startswith(_SIGNATURE) and data.endswith(_IEND)):
        return False
    raw = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return raw is not None and raw.dtype == np.uint16 and raw.shape == tuple(size)
