"""The similarity-map figures of a benchmark (its ``similarity`` key)."""
from typing import Dict, List, Sequence

from mmengine.config import Config

from ..similarity_maps import split_items, write_similarity_figures
from .benchmark import probe_config, stage_configs


def similarity_figures(bench: Config, runs: Sequence[Dict], method: dict, seed: int,
                       out_dir: str) -> List[str]:
    """Write the similarity maps of the encoders of ``runs`` (one seed) on the first
    ``bench.similarity.num_images`` images of its ``split``, read as the probe config (or the
    downstream config of ``method``) reads that split, to ``out_dir``; return the PNG paths.

    The encoders are taken as fine-tuned: a frozen one is bit-identical to its pretraining (or
    random initialisation), a trainable one is what the labels made of it.
    """
    encoders = [(run['method'], run['encoder_checkpoint']) for run in runs]
    if 'probe' in bench:
        cfg = probe_config(bench, seed)
    else:
        _, cfg = stage_configs(bench, method, seed, out_dir)
    items = split_items(cfg, bench.similarity.get('split', 'val'),
                        bench.similarity.get('num_images', 1))
    return write_similarity_figures(cfg, encoders, items, out_dir, seed)
