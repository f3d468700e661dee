"""Segment images with a fine-tuned checkpoint: mmseg's ``init_model`` and ``inference_model`` on
this package's segmentation configs, drawn by the segmentation runtime's visualiser.

The segmentation configs load each image's label and depth in their test pipeline, for the
metrics; a plain image has neither, so :func:`inference_model` runs the test pipeline without
the steps of :data:`LABEL_STEPS`. Checkpoints are read by mmengine's ``load_checkpoint``, which
importing mmpixdepth makes refuse pickled code (:mod:`mmpixdepth.engine.checkpoint`), and must
give every weight of the model.
"""
import copy
from typing import List, Optional, Sequence, Union

import mmcv
import numpy as np
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint
from mmseg.apis import inference_model as mmseg_inference_model
from mmseg.apis import init_model as mmseg_init_model
from mmseg.models import BaseSegmentor
from mmseg.registry import DATASETS
from mmseg.structures import SegDataSample

from mmpixdepth.visualization import RGBDSegLocalVisualizer
from .inputs import (DEFAULT_DEVICE, ConfigType, ImageType, load_inference_config, read_image,
                     require_file)

#: test-pipeline steps that read files other than the image (labels, depth), left out
LABEL_STEPS = ('LoadAnnotations', 'LoadDepthFromFile')


def _scope(cfg: Config) -> str:
    return cfg.get('default_scope') or 'mmseg'


def _dataset_meta(checkpoint: dict, cfg: Config) -> dict:
    """``classes`` and ``palette``: the checkpoint's (the Runner saves them), else those of the
    config's test dataset class."""
    meta = (checkpoint.get('meta') or {}).get('dataset_meta')
    if meta:
        return meta
    with DefaultScope.overwrite_default_scope(_scope(cfg)):
        return dict(DATASETS.get(cfg.test_dataloader.dataset.type).METAINFO)


def init_model(config: ConfigType,
               checkpoint: Optional[str] = None,
               device: str = DEFAULT_DEVICE,
               cfg_options: Optional[dict] = None) -> BaseSegmentor:
    """A segmentor in eval mode, built from a config with the weights of a checkpoint.

    Args:
        config: segmentation config file (e.g. ``configs/deeplabv3/*.py``) or Config.
        checkpoint: checkpoint file (or URL) holding every weight of the model, e.g. the
            ``epoch_20.pth`` of ``tools/train.py``. None: the weights as built (random).
        device: where the model runs, e.g. ``'cpu'`` or ``'cuda:0'``.
        cfg_options: config overrides ``{'a.b': value}``, checked as the tools' ``--cfg-options``.

    Returns:
        BaseSegmentor: the model, with ``cfg`` (the config) and ``dataset_meta`` (``classes``
        and ``palette``: the checkpoint's, else the config's test dataset's).

    Raises:
        FileNotFoundError: the config or the checkpoint does not exist.
        RuntimeError: the checkpoint does not fit the model (missing, unexpected or wrongly
            shaped weights, listed).
        pickle.UnpicklingError: the checkpoint holds Python objects that checkpoints may not.
        mmpixdepth.engine.CheckpointError: the file is not a usable checkpoint.
    """
    cfg = load_inference_config(config, cfg_options)
    if checkpoint is not None:
        require_file(checkpoint, 'checkpoint')
    with DefaultScope.overwrite_default_scope(_scope(cfg)):  # mmseg would leave it set
        model = mmseg_init_model(cfg, device='cpu')
    loaded = {}
    if checkpoint is not None:
        try:
            loaded = load_checkpoint(model, str(checkpoint), map_location='cpu', strict=True)
        except RuntimeError as err:
            raise RuntimeError(f'checkpoint {checkpoint} does not fit the model of '
                               f'{cfg.filename}: {err}') from None
    model.dataset_meta = _dataset_meta(loaded, cfg)
    return model.to(device)


def image_pipeline(pipeline: Sequence[dict]) -> List[dict]:
    """A copy of the test pipeline ``pipeline`` without the steps of :data:`LABEL_STEPS`."""

    def name(step):
        kind = step.get('type')
        return kind.__name__ if isinstance(kind, type) else str(kind).rsplit('.', 1)[-1]

    return [copy.deepcopy(step) for step in pipeline if name(step) not in LABEL_STEPS]


def inference_model(model: BaseSegmentor, img: Union[ImageType, Sequence[ImageType]]
                    ) -> Union[SegDataSample, List[SegDataSample]]:
    """Segment an image, or a list of images, with ``model`` (from :func:`init_model`).

    Args:
        model: the segmentor; its ``cfg.test_pipeline`` prepares the image, without the steps
            of :data:`LABEL_STEPS`.
        img: an image file, a BGR uint8 ``(H, W, 3)`` array, or a list of either.

    Returns:
        SegDataSample, or a list of them for a list: ``pred_sem_seg.data`` holds the class
        indices ``(1, H, W)`` (int64, into ``model.dataset_meta['classes']``) at the image's
        size, ``seg_logits.data`` the scores ``(num_classes, H, W)``.

    Raises:
        FileNotFoundError: an image file does not exist.
    """
    for image in img if isinstance(img, (list, tuple)) else [img]:
        if not isinstance(image, np.ndarray):
            require_file(image, 'image')
    pipeline = model.cfg.test_pipeline
    model.cfg.test_pipeline = image_pipeline(pipeline)  # mmseg's inference_model edits it
    try:
        with DefaultScope.overwrite_default_scope(_scope(model.cfg)):
            return mmseg_inference_model(model, img)
    finally:
        model.cfg.test_pipeline = pipeline


def show_result(model: BaseSegmentor,
                img: ImageType,
                result: SegDataSample,
                out_file: Optional[str] = None,
                opacity: float = 0.5,
                with_labels: bool = False) -> np.ndarray:
    """Draw a prediction over its image with the segmentation runtime's visualiser
    (:class:`~mmpixdepth.visualization.RGBDSegLocalVisualizer`): mmseg's drawing (each pixel
    blended with the palette colour of its class) under the title ``prediction`` and over a
    key of the classes present; images narrower than 256 pixels are enlarged (nearest, by a
    whole factor) first.

    Args:
        model: the segmentor (its ``dataset_meta`` names and colours the classes).
        img: the image segmented: a file or a BGR uint8 ``(H, W, 3)`` array.
        result: what :func:`inference_model` returned for ``img``.
        out_file: image file to write (folders are created); None: nothing written.
        opacity: weight of the class colours over the image, in (0, 1].
        with_labels: also write the class names on the regions, as mmseg does.

    Returns:
        np.ndarray: the drawing, BGR uint8.
    """
    if not 0 < opacity <= 1:
        raise ValueError(f'opacity must be in (0, 1], got {opacity}')
    visualizer = RGBDSegLocalVisualizer(alpha=opacity)
    visualizer.dataset_meta = dict(classes=model.dataset_meta['classes'],
                                   palette=model.dataset_meta['palette'])
    visualizer.add_datasample('prediction', mmcv.bgr2rgb(read_image(img)), result, draw_gt=False,
                              with_labels=with_labels)
    drawn = mmcv.rgb2bgr(visualizer.get_image())
    if out_file is not None and not mmcv.imwrite(drawn, out_file):
        raise OSError(f'could not write {out_file}')
    return drawn
