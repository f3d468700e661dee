"""The figures of a benchmark: the pretraining loss of each method, and the similarity maps
(its ``similarity`` key)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from ..log_curves import plot_curves, work_dir_records
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


def pretraining_loss_figure(runs: Sequence[Dict], seed: int, out_dir: str) -> Optional[str]:
    """Plot the logged ``loss`` of every pretraining among ``runs`` (one seed; a pretraining
    shared by several methods once, named by the first; resumed runs joined) into
    ``<out_dir>/pretrain_loss_seed<seed>.png``; return the path, None when no run has a logged
    pretraining loss."""
    curves, seen = {}, set()
    for run in runs:
        checkpoint = run.get('pretrain_checkpoint')
        if not checkpoint or checkpoint in seen:
            continue
        seen.add(checkpoint)
        records = [r for r in work_dir_records(osp.dirname(checkpoint)) if 'loss' in r]
        if records:
            fold = run.get('fold')
            curves[run['method'] + (f' (fold {fold})' if fold is not None else '')] = records
    if not curves:
        return None
    out = osp.join(out_dir, f'pretrain_loss_seed{seed}.png')
    plot_curves(curves, ['loss'], out, title=f'Pretraining loss, seed {seed}')
    return out
