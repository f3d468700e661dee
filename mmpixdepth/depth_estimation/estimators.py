"""Monocular depth estimators: a model and the preprocessing of its input images.

Two kinds of model are loaded by :func:`load_estimator`:

- Hugging Face ``transformers`` depth-estimation models (DPT, Depth Anything, ...) from a local
  folder (``save_pretrained`` layout, no network needed) or a hub name, with their own image
  processor. DPT and relative Depth Anything models predict relative inverse depth; other
  models (ZoeDepth, metric Depth Anything, ...) predict depth.
- A TorchScript file, or a pickled ``torch.nn.Module`` (``torch.save(model)``), mapping a float
  RGB batch ``(B, 3, H, W)``, resized to a fixed size and normalised with a mean and std, to
  depth ``(B, H', W')`` or ``(B, 1, H', W')``, e.g. an exported MiDaS model.
"""
import os.path as osp
import pickle
import warnings

import cv2
import numpy as np
import torch

from mmpixdepth.engine.checkpoint import TRUSTED_ENV, is_trusted

OUTPUT_KINDS = ('depth', 'inverse_depth')
INVERSE_DEPTH_MODEL_TYPES = ('dpt', 'depth_anything')
FILE_SUFFIXES = ('.pt', '.pth', '.ts', '.jit', '.pkl')  # a --model ending so names a file


class ModelLoadError(Exception):
    """The model cannot be loaded; the message says why and what to do."""


class ModelOutputError(Exception):
    """The model's output is not a depth batch; the message gives its shape."""


class TransformersPreprocess:
    """A transformers image processor: RGB uint8 ``(H, W, 3)`` -> float ``(3, h, w)``."""

    def __init__(self, processor):
        self.processor = processor

    def __call__(self, image):
        return self.processor(images=image, return_tensors='pt')['pixel_values'][0]


class ResizeNormalize:
    """Resize (bicubic) and normalise: RGB uint8 ``(H, W, 3)`` -> float32 ``(3, h, w)``.

    Args:
        size (tuple[int, int]): ``(h, w)`` of the model input in pixels.
        mean (Sequence[float]): Per-channel RGB mean of the [0, 1] image.
        std (Sequence[float]): Per-channel RGB std of the [0, 1] image.
    """

    def __init__(self, size, mean, std):
        self.size = tuple(int(v) for v in size)
        self.mean = np.asarray(mean, np.float32)
        self.std = np.asarray(std, np.float32)

    def __call__(self, image):
        resized = cv2.resize(image, self.size[::-1], interpolation=cv2.INTER_CUBIC)
        normalised = (resized.astype(np.float32) / 255 - self.mean) / self.std
        return torch.from_numpy(np.ascontiguousarray(normalised.transpose(2, 0, 1)))


class DepthEstimator:
    """A model on a device with the preprocessing of its inputs.

    Attributes:
        preprocess (callable): RGB uint8 ``(H, W, 3)`` -> float ``(3, h, w)``; picklable, runs in
            data-loading workers.
        model_type (str): 'torchscript', 'torch_module' or the transformers model type.
        output_kind (str): 'depth' or 'inverse_depth': what the prediction is.
        device (torch.device): Where the model runs.
    """

    def __init__(self, model, preprocess, model_type, output_kind, device, hf_output):
        self.model = model
        self.preprocess = preprocess
        self.model_type = model_type
        self.output_kind = output_kind
        self.device = device
        self.hf_output = hf_output

    def __call__(self, batch):
        """Predict ``(B, h', w')`` from a preprocessed batch ``(B, 3, h, w)`` on ``device``."""
        if self.hf_output:
            return self.model(pixel_values=batch).predicted_depth
        out = self.model(batch)
        if isinstance(out, torch.Tensor) and out.ndim == 4 and out.shape[1] == 1:
            out = out[:, 0]
        if not (isinstance(out, torch.Tensor) and out.ndim == 3
                and out.shape[0] == batch.shape[0]):
            got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise ModelOutputError(
                f'the model must map an image batch (B, 3, H, W) to depth (B, H\', W\') or '
                f'(B, 1, H\', W\'); for an input of {tuple(batch.shape)} it returned {got}')
        return out


def _load_transformers(name, local):
    """Model and image processor from a folder (``local``) or the Hugging Face hub."""
    try:
        from transformers import AutoImageProcessor, AutoModelForDepthEstimation
    except ImportError:
        raise ModelLoadError(
            'Hugging Face models need the transformers package: pip install "transformers>=4.40" '
            '(or install mmpixdepth with its "depth" extra)') from None
    try:
        model = AutoModelForDepthEstimation.from_pretrained(name, local_files_only=local)
        processor = AutoImageProcessor.from_pretrained(name, local_files_only=local)
    except (OSError, ValueError) as error:
        if local:
            raise ModelLoadError(
                f'could not load a transformers depth-estimation model from the folder {name}: '
                f'{error}') from None
        raise ModelLoadError(
            f'could not load {name!r} from the Hugging Face hub: {error}\n'
            'It is neither an existing file or folder nor a model this machine can download '
            '(no network access, HF_HUB_OFFLINE=1, or a wrong name) or find in its cache. '
            'Download it where the hub is reachable, e.g. `hf download NAME --local-dir DIR`, '
            'and pass --model DIR.') from None
    return model, processor


def _load_torch_module(path, device):
    """A TorchScript module, else a pickled ``nn.Module`` (only a file listed in
    ``MMPIXDEPTH_TRUSTED_CHECKPOINTS``)."""
    try:
        with warnings.catch_warnings():  # TorchScript is deprecated but still loads
            warnings.simplefilter('ignore', FutureWarning)
            return torch.jit.load(path, map_location=device), 'torchscript'
    except RuntimeError:
        pass
    try:
        module = torch.load(path, map_location=device, weights_only=not is_trusted(path))
    except pickle.UnpicklingError:
        raise ModelLoadError(
            f'{path} is not TorchScript but a pickled object, and unpickling it can run code '
            f'stored in the file. If you trust the file, allow it with `export {TRUSTED_ENV}='
            f'{osp.abspath(path)}`; or save the model as TorchScript: '
            'torch.jit.script(model).save(PATH) (or torch.jit.trace).') from None
    except Exception as error:
        raise ModelLoadError(f'{path} is neither a TorchScript file nor a file written by '
                             f'torch.save: {error}') from None
    if not isinstance(module, torch.nn.Module):
        raise ModelLoadError(
            f'{path} holds a {type(module).__name__}, not a model (a state_dict needs its model '
            'class: build the model, load the state_dict and save it with '
            'torch.jit.script(model).save(PATH))')
    return module, 'torch_module'


def load_estimator(model, device, output_kind=None, input_size=None, mean=None, std=None):
    """Load a depth estimator.

    Args:
        model (str): A transformers model folder, a TorchScript file, a pickled module file
            listed in ``MMPIXDEPTH_TRUSTED_CHECKPOINTS`` (unpickling runs code from it), or a
            Hugging Face hub name.
        device (str | torch.device): Where the model runs.
        output_kind (str, optional): 'depth' or 'inverse_depth', overriding the default: inverse
            depth for DPT, relative Depth Anything and torch module files, else depth.
        input_size (tuple[int, int], optional): ``(h, w)`` input of a torch module file.
            Defaults to (384, 384).
        mean (Sequence[float], optional): RGB mean of [0, 1] images for a torch module file.
            Defaults to ImageNet's (0.485, 0.456, 0.406).
        std (Sequence[float], optional): RGB std likewise. Defaults to (0.229, 0.224, 0.225).

    Returns:
        DepthEstimator: In float32 and eval mode on ``device``.
    """
    try:
        device = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f'invalid device {device!r}: {error}') from None
    if output_kind is not None and output_kind not in OUTPUT_KINDS:
        raise ValueError(f'output_kind must be one of {OUTPUT_KINDS}, got {output_kind!r}')
    if not osp.exists(model) and (osp.isabs(model) or model.startswith(('.', '~'))
                                  or model.endswith(FILE_SUFFIXES)):
        raise ModelLoadError(f'model file or folder not found: {model}')
    if osp.isfile(model):
        module, model_type = _load_torch_module(model, device)
        preprocess = ResizeNormalize(input_size or (384, 384), mean or (0.485, 0.456, 0.406),
                                     std or (0.229, 0.224, 0.225))
        default_kind, hf_output = 'inverse_depth', False
    else:
        if (input_size, mean, std) != (None, None, None):
            raise ValueError('input size, mean and std are for TorchScript / pickled module '
                             'files; a transformers model uses its own image processor')
        module, processor = _load_transformers(model, local=osp.isdir(model))
        config = module.config
        model_type = config.model_type
        relative = getattr(config, 'depth_estimation_type', 'relative') == 'relative'
        inverse = model_type in INVERSE_DEPTH_MODEL_TYPES and relative
        default_kind = 'inverse_depth' if inverse else 'depth'
        preprocess, hf_output = TransformersPreprocess(processor), True
    module = module.float().eval().to(device)
    return DepthEstimator(module, preprocess, model_type, output_kind or default_kind, device,
                          hf_output)
