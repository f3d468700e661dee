"""Similarity-map figures of several encoders at an automatically chosen object point."""
import os
import os.path as osp
from typing import Sequence, Tuple

import cv2
import mmcv
import numpy as np
from mmengine.config import Config

from mmpixdepth.datasets import LoadDepthFromFile
from mmpixdepth.visualization import (encoder_features, load_encoder, output_stride,
                                      point_to_cell, preprocess, similarity_figure,
                                      similarity_map)

FEATURE_CELLS = 32  #: cells per side of the last feature map in the figures


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
    size = FEATURE_CELLS * output_stride(models[0])
    preprocessor = cfg.model.get('data_preprocessor') or cfg.get('data_preprocessor')
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
        inputs = preprocess(img, size, preprocessor)
        sims = []
        for encoder in models:
            feat = encoder_features(encoder, inputs)[0]
            sims.append(similarity_map(feat, point_to_cell(*point, img.shape[:2],
                                                           tuple(feat.shape[1:]))))
        figure = similarity_figure(img, point, size, sims, [label for label, _ in encoders],
                                   depth)
        name = osp.splitext(osp.basename(item['img_path']))[0]
        path = osp.join(out_dir, f'similarity_{name}.png')
        if not cv2.imwrite(path, figure):
            raise OSError(f'could not write {path}')
        written.append(path)
    return written
