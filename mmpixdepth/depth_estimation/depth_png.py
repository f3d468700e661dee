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
import io
import json

import cv2
import numpy as np
from PIL import Image, PngImagePlugin, UnidentifiedImageError

META_KEY = 'mmpixdepth'
MAX_VALUE = 65535
_SIGNATURE = b'\x89PNG\r\n\x1a\n'
_IEND = b'\x00\x00\x00\x00IEND\xaeB`\x82'


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
    image = Image.fromarray(np.clip(np.rint(scaled), 0, MAX_VALUE).astype(np.uint16))
    info = PngImagePlugin.PngInfo()
    info.add_text(META_KEY, json.dumps(dict(metadata, min=low, max=high), sort_keys=True))
    out = io.BytesIO()
    image.save(out, format='PNG', pnginfo=info)
    return out.getvalue()


def read_depth_png_metadata(path):
    """The metadata dict stored by :func:`encode_depth_png` in the PNG ``path``."""
    try:
        with Image.open(path) as image:
            text = getattr(image, 'text', {}).get(META_KEY)
    except UnidentifiedImageError:
        raise ValueError(f'{path} is not a PNG file') from None
    if text is None:
        raise ValueError(f'{path} holds no {META_KEY!r} metadata chunk')
    return json.loads(text)


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
