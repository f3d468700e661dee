"""Time of a pretraining data pipeline with and without ``LoadDepthFromFile``.

Without it the views get NaN depth cells; everything else (image loading, ``PixProViews``,
``PackInputs``, collation) is the config's. The loaders run in this process (``num_workers=0``).
"""
import warnings
from typing import Dict, Iterator, List

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS
from torch.utils.benchmark import Measurement

from mmpixdepth.analysis.interleaved_timing import interleaved_measurements


def _endless(loader: torch.utils.data.DataLoader) -> Iterator[dict]:
    """The loader's batches, pass after pass."""
    while True:
        yield from loader


def pipeline_measurements(data_config: str, data_root: str, batch: int,
                          repeats: int) -> Dict[str, List[Measurement]]:
    """Seconds per batch of ``train_pipeline`` with and without depth.

    Args:
        data_config: config with ``train_pipeline`` and ``train_dataloader.dataset``
            (an mmpretrain dataset).
        data_root: data root of the dataset.
        batch: samples per batch (incomplete last batches are dropped).
        repeats: interleaved measurements per pipeline, after one untimed pass over the set
            per pipeline (file cache).

    Returns:
        ``{'with depth' | 'without depth': Measurements}``.
    """
    cfg = Config.fromfile(data_config)
    pipelines = {
        'with depth': cfg.train_pipeline,
        'without depth': [t for t in cfg.train_pipeline if t['type'] != 'LoadDepthFromFile'],
    }
    loaders = {}
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        for name, pipeline in pipelines.items():
            dataset = DATASETS.build(dict(cfg.train_dataloader.dataset.to_dict(),
                                          data_root=data_root, pipeline=pipeline))
            if len(dataset) < batch:
                raise ValueError(f'{len(dataset)} samples under {data_root}: fewer than a batch '
                                 f'of {batch}')
            loaders[name] = torch.utils.data.DataLoader(
                dataset, batch_size=batch, num_workers=0, collate_fn=default_collate,
                drop_last=True)
    batches = {name: _endless(loader) for name, loader in loaders.items()}
    np.random.seed(0)
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message="Only use 'alpha' for pillow backend")
        return interleaved_measurements(
            {name: lambda it=it: next(it) for name, it in batches.items()}, repeats,
            warmup=len(loaders['with depth']), label='data pipeline')
