"""What a pretrained encoder sees: the cosine similarity of its feature at one point of an image
with its feature at every other place (PixDepth paper, Fig. 5 and 7)::

    encoder = init_encoder('configs/pixdepth/...py', 'work_dirs/.../epoch_20.pth')
    sim = similarity_map(encoder, 'img.png', point=(40, 30))
    figure = show_similarity(encoder, 'img.png', point=(40, 30), out_file='sim.png')

The image is resized to a square network input (by default one that gives a 32x32 last
feature map) and normalised as the config's ``data_preprocessor`` says; the maps are computed by
:mod:`mmpixdepth.analysis.similarity_maps` and drawn by :mod:`mmpixdepth.visualization`, as
``tools/visualize_similarity.py`` does for several encoders at once.
"""
import os.path as osp
from typing import Optional, Tuple

import mmcv
import numpy as np
from torch import nn

from mmpixdepth.analysis.similarity_maps import input_size, point_similarity
from mmpixdepth.models.encoder import RANDOM, config_preprocessor, load_encoder
from mmpixdepth.visualization import similarity_figure
from .inputs import (DEFAULT_DEVICE, ConfigType, ImageType, load_inference_config, read_image,
                     require_file)


def init_encoder(config: ConfigType,
                 checkpoint: Optional[str] = None,
                 device: str = DEFAULT_DEVICE,
                 cfg_options: Optional[dict] = None,
                 seed: int = 0) -> nn.Module:
    """The encoder of a config (its ``model.backbone``) in eval mode, with the backbone
    weights of a checkpoint.

    Args:
        config: pretraining or segmentation config (file or Config) whose ``model.backbone``
            is the encoder.
        checkpoint: pretraining, segmentation or extracted-backbone checkpoint (file or URL);
            its backbone weights must fit the encoder exactly. None: the config's random
            initialisation, seeded with ``seed``.
        device: where the encoder runs, e.g. ``'cpu'`` or ``'cuda:0'``.
        cfg_options: config overrides ``{'a.b': value}``, checked as the tools' ``--cfg-options``.
        seed: torch seed of the random initialisation (``checkpoint=None``).

    Returns:
        nn.Module: the encoder, with ``cfg`` (the config) and ``checkpoint`` (the argument).

    Raises:
        FileNotFoundError: the config or the checkpoint does not exist.
        RuntimeError: the checkpoint's backbone weights do not fit the encoder (keys listed).
        KeyError: the checkpoint holds no backbone weights.
        pickle.UnpicklingError: the checkpoint holds Python objects that checkpoints may not.
    """
    cfg = load_inference_config(config, cfg_options)
    if checkpoint is not None:
        require_file(checkpoint, 'checkpoint')
    encoder = load_encoder(cfg, RANDOM if checkpoint is None else str(checkpoint), seed)
    encoder.cfg = cfg
    encoder.checkpoint = checkpoint
    return encoder.to(device)


def similarity_map(encoder: nn.Module, img: ImageType, point: Tuple[float, float],
                   size: Optional[int] = None) -> np.ndarray:
    """Cosine similarity of the encoder's feature at ``point`` with its feature at every cell
    of its last feature map.

    Args:
        encoder: from :func:`init_encoder`.
        img: image file or BGR uint8 ``(H, W, 3)`` array.
        point: ``(x, y)`` in pixels of the image (x right, y down).
        size: side in pixels of the square network input the image is resized to. Defaults
            to 32 x the output stride of the encoder (a 32x32 map).

    Returns:
        np.ndarray: float32 ``(Hf, Wf)`` in [-1, 1], 1 at the cell that holds the point
        (``mmpixdepth.analysis.similarity_maps.point_to_cell``); all NaN when the feature at
        the point is zero.

    Raises:
        FileNotFoundError: the image file does not exist.
        ValueError: the point is outside the image.
    """
    image = read_image(img)
    size = size or input_size(encoder)
    return point_similarity(encoder, image, point, size, config_preprocessor(encoder.cfg))[0]


def show_similarity(encoder: nn.Module,
                    img: ImageType,
                    point: Tuple[float, float],
                    out_file: Optional[str] = None,
                    size: Optional[int] = None,
                    title: Optional[str] = None,
                    fixed_range: bool = False) -> np.ndarray:
    """Draw :func:`similarity_map` as ``tools/visualize_similarity.py`` does
    (:func:`~mmpixdepth.visualization.similarity_figure`): the image with the point marked,
    next to the map as a heat map over the image, titled and over a colour bar of its range.

    Args:
        encoder, img, point, size: as for :func:`similarity_map`.
        out_file: image file to write (folders are created); None: nothing written.
        title: title of the heat map. Defaults to the checkpoint's file name.
        fixed_range: colour from similarity 0 (blue) to 1 (red) instead of from the map's
            minimum, so that figures compare.

    Returns:
        np.ndarray: the figure, BGR uint8, two panels of ``size`` pixels side by side.
    """
    image = read_image(img)
    size = size or input_size(encoder)
    sim = similarity_map(encoder, image, point, size)
    if title is None:
        title = RANDOM if encoder.checkpoint is None else osp.basename(encoder.checkpoint)
    figure = similarity_figure(image, tuple(point), size, [sim], [title],
                               fixed_range=fixed_range)
    if out_file is not None and not mmcv.imwrite(figure, out_file):
        raise OSError(f'could not write {out_file}')
    return figure
