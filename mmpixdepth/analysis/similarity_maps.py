"""Cosine-similarity maps of an encoder's last feature map (PixDepth paper, Fig. 5 and 7).

One feature vector, at a chosen point of the image, is compared with the vector of every cell
of the encoder's last feature map; a good pixel-level encoder gives a map that is high on the
object under the point and low elsewhere. :func:`write_similarity_figures` draws the maps of
several encoders at an automatically chosen object point.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import mmcv
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from torch import nn

from mmpixdepth.datasets import LoadDepthFromFile
from mmpixdepth.models.encoder import (config_preprocessor, encoder_features, load_encoder,
                                       output_stride, preprocess)
from mmpixdepth.visualization import similarity_figure
from .frozen_probe import build_split

FEATURE_CELLS = 32  #: cells per side of the last feature map in the figures


def point_to_cell(x: float, y: float, img_hw: Tuple[int, int],
                  feat_hw: Tuple[int, int]) -> Tuple[int, int]:
    """Cell ``(row, col)`` of an ``Hf x Wf`` feature map that holds pixel ``(x, y)`` of an
    ``H x W`` image (pixel centres at ``+0.5``; the image is resized to the network input).

    Raises:
        ValueError: the point is outside the image.
    """
    height, width = img_hw
    if not (0 <= x < width and 0 <= y < height):
        raise ValueError(f'point ({x:g}, {y:g}) is outside the image of {width}x{height} pixels '
                         '(WxH); X must be in [0, W) and Y in [0, H)')
    rows, cols = feat_hw
    return (min(int((y + 0.5) / height * rows), rows - 1),
            min(int((x + 0.5) / width * cols), cols - 1))


def similarity_map(feat: torch.Tensor, cell: Tuple[int, int]) -> np.ndarray:
    """Cosine similarity of the feature vector at ``cell`` with every cell.

    Args:
        feat: ``[C, Hf, Wf]`` feature map.
        cell: ``(row, col)`` of the reference vector.

    Returns:
        np.ndarray: float32 ``(Hf, Wf)`` in [-1, 1] (1 at ``cell``); all NaN when the
        reference vector is zero.
    """
    feat = feat.detach().float().cpu()
    ref = feat[:, cell[0], cell[1]]
    if not ref.norm() > 0:
        return np.full(feat.shape[1:], np.nan, np.float32)
    sim = torch.einsum('c,chw->hw', F.normalize(ref, dim=0), F.normalize(feat, dim=0))
    return sim.clamp(-1, 1).numpy().astype(np.float32)


def input_size(encoder: nn.Module) -> int:
    """Side in pixels of the network input that gives ``encoder`` a last feature map of
    :data:`FEATURE_CELLS` x :data:`FEATURE_CELLS` cells (``FEATURE_CELLS`` x its output stride)."""
    return FEATURE_CELLS * output_stride(encoder)


def point_similarity(encoder: nn.Module, img: np.ndarray, point: Tuple[float, float], size: int,
                     preprocessor: Optional[dict]) -> Tuple[np.ndarray, Tuple[int, int]]:
    """The similarity map of ``encoder`` on ``img`` at ``point``: ``img`` resized to
    ``size x size``, fed to the encoder, and the feature vector of the last feature map's cell
    that holds ``point`` compared (cosine) with every cell.

    Args:
        encoder: encoder in eval mode (see :func:`~mmpixdepth.models.encoder.load_encoder`);
            the input goes to the device of its parameters.
        img: ``(H, W, 3)`` BGR uint8 image.
        point: ``(x, y)`` in pixels of ``img`` (x right, y down).
        size: side of the network input in pixels (see :func:`input_size`).
        preprocessor: normalisation of the input (see
            :func:`~mmpixdepth.models.encoder.preprocess`).

    Returns:
        tuple: the float32 ``(Hf, Wf)`` map in [-1, 1] (:func:`similarity_map`) and the cell
        ``(row, col)`` of the point, where the map is 1.

    Raises:
        ValueError: the point is outside the image.
    """
    param = next(encoder.parameters(), None)
    inputs = preprocess(img, size, preprocessor)
    if param is not None:
        inputs = inputs.to(param.device)
    feat = encoder_features(encoder, inputs)[0]
    cell = point_to_cell(*point, img.shape[:2], tuple(feat.shape[1:]))
    return similarity_map(feat, cell), cell


def object_point(seg_map: np.ndarray, background: int = 0,
                 ignore_index: int = 255) -> Tuple[int, int]:
    """``(x, y)`` of the object pixel farthest from any other label (the deepest point of the
    largest object interior); the image centre when the map has no object pixel."""
    objects = ((seg_map != background) & (seg_map != ignore_index))
    if not objects.any():
        return seg_map.shape[1] // 2, seg_map.shape[0] // 2
    # distance to the nearest pixel of another label, computed per label and kept on its pixels
    dist = np.zeros(seg_map.shape, np.float32)
    for label in np.unique(seg_map[objects]):
        inside = (seg_map == label).astype(np.uint8)
        dist = np.where(inside > 0, cv2.distanceTransform(inside, cv2.DIST_L2, 5), dist)
    y, x = np.unravel_index(int(np.argmax(np.where(objects, dist, -1))), seg_map.shape)
    return int(x), int(y)


def split_items(cfg: Config, split: str, num_images: int) -> List[dict]:
    """The first ``num_images`` samples of the dataset of ``cfg.<split>_dataloader`` (its
    ``data_root``, ``data_prefix``, ...) as items of :func:`write_similarity_figures`:
    ``img_path``, ``seg_map_path`` and, where the dataset gives one, ``depth_path``."""
    dataset = build_split(cfg, split)
    infos = [dataset.get_data_info(i) for i in range(min(num_images, len(dataset)))]
    keys = ('img_path', 'seg_map_path', 'depth_path')
    return [{key: info[key] for key in keys if key in info} for info in infos]


def write_similarity_figures(cfg: Config, encoders: Sequence[Tuple[str, str]],
                             items: Sequence[dict], out_dir: str, seed: int = 0) -> list:
    """One PNG per item: image with the point, depth, one heat map per encoder.

    Args:
        cfg: config whose ``model.backbone`` every encoder fits (e.g. the fine-tuning config).
        encoders: ``(label, checkpoint)`` pairs; checkpoint ``'random'`` is the config's random
            initialisation seeded with ``seed``.
        items: dicts with ``img_path``, ``seg_map_path`` (chooses the point, see
            :func:`object_point`) and optionally ``depth_path``.
        out_dir: folder of the PNGs ``similarity_<image name>.png``.

    Returns:
        list[str]: the written files.
    """
    os.makedirs(out_dir, exist_ok=True)
    models = [load_encoder(cfg, checkpoint, seed) for _, checkpoint in encoders]
    size = input_size(models[0])
    preprocessor = config_preprocessor(cfg)
    written = []
    for item in items:
        img = mmcv.imread(item['img_path'], flag='color')
        seg = mmcv.imread(item['seg_map_path'], flag='unchanged')
        if img is None or seg is None:
            raise FileNotFoundError(f'cannot read {item["img_path"]} or {item["seg_map_path"]}')
        point = object_point(seg)
        depth = None
        if item.get('depth_path'):
            depth = LoadDepthFromFile(invalid_values=(0, ))(
                dict(img=img, img_path=item['img_path'], depth_path=item['depth_path']))['depth']
        sims = [point_similarity(encoder, img, point, size, preprocessor)[0]
                for encoder in models]
        figure = similarity_figure(img, point, size, sims, [label for label, _ in encoders],
                                   depth)
        name = osp.splitext(osp.basename(item['img_path']))[0]
        path = osp.join(out_dir, f'similarity_{name}.png')
        if not cv2.imwrite(path, figure):
            raise OSError(f'could not write {path}')
        written.append(path)
    return written
