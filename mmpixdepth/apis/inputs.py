"""What the inference APIs take: files that must exist, a config loaded for one process, an image
given as a path or an array."""
import copy
import os
import os.path as osp
from pathlib import Path
from typing import Optional, Union

import mmcv
import numpy as np
import torch
from mmengine.config import Config

from mmpixdepth.utils import merge_cfg_options, sync_bn_to_bn

#: where models go by default: the first GPU when there is one, else the CPU
DEFAULT_DEVICE = 'cuda:0' if torch.cuda.is_available() else 'cpu'

ConfigType = Union[str, Path, Config]
ImageType = Union[str, Path, np.ndarray]


def require_file(path: Union[str, Path], what: str) -> None:
    """Raise ``FileNotFoundError`` naming ``what`` and ``path`` unless ``path`` is a file.

    Addresses with a scheme (``https://``, ``torchvision://``, ...) are left to the loader."""
    if '://' in str(path) or osp.isfile(path):
        return
    relative = '' if osp.isabs(path) else f' (relative to {os.getcwd()})'
    raise FileNotFoundError(f'{what} {path} does not exist{relative}')


def load_inference_config(config: ConfigType, cfg_options: Optional[dict] = None) -> Config:
    """``config`` (a file or a Config, which is copied) ready to build a model for inference.

    ``cfg_options`` (``{'a.b': value}``) are merged strictly, as the tools' ``--cfg-options``
    (:func:`~mmpixdepth.utils.merge_cfg_options`), and SyncBN becomes BN: one process has no
    statistics to share, and SyncBN takes no CPU tensors.

    Raises:
        FileNotFoundError: the config file does not exist.
    """
    if isinstance(config, Config):
        cfg = copy.deepcopy(config)
    elif isinstance(config, (str, Path)):
        require_file(config, 'config')
        cfg = Config.fromfile(str(config))
    else:
        raise TypeError(f'config must be a file name or a Config, got {type(config).__name__}')
    merge_cfg_options(cfg, cfg_options)
    sync_bn_to_bn(cfg.get('model'))
    return cfg


def read_image(img: ImageType) -> np.ndarray:
    """``img`` as a BGR uint8 ``(H, W, 3)`` array: a file is read (colour), an array is taken as
    it is (BGR, as OpenCV and mmcv read images).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not an image, or the array is not ``(H, W, 3)`` uint8.
    """
    if isinstance(img, np.ndarray):
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(f'an image array must be (H, W, 3) BGR uint8, got shape '
                             f'{img.shape} {img.dtype}')
        return img
    require_file(img, 'image')
    array = mmcv.imread(str(img), flag='color')
    if array is None:
        raise ValueError(f'image {img} cannot be decoded')
    return array
