"""Curves and iteration times from mmengine's JSON logs.

mmengine's Runner writes ``<work_dir>/<timestamp>/vis_data/scalars.json``: one JSON object per
logged line, training lines with ``iter`` (the global iteration), ``epoch`` (epoch-based runs)
and ``step``, validation lines with ``step`` only (the epoch in epoch-based runs, else the
iteration).
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

#: keys that place a record, not logged values
POSITION_KEYS = ('step', 'iter', 'epoch')
#: y-axis labels of the keys mmengine logs itself (others are labelled with the key)
AXIS_LABELS = {'lr': 'learning rate', 'time': 'time per iteration (s)',
               'data_time': 'data time per iteration (s)', 'memory': 'memory (MB)'}


def find_scalars(path: str) -> str:
    """``path`` when it is a file, else the newest ``<path>/<timestamp>/vis_data/scalars.json``."""
    if osp.isfile(path):
        return path
    if not osp.isdir(path):
        raise FileNotFoundError(f'{path}: no such log file or work dir')
    found = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    if not found:
        raise FileNotFoundError(f'{path}: a work dir without <timestamp>/vis_data/scalars.json')
    return found[-1]  # timestamps sort in time order


def read_scalars(path: str) -> List[dict]:
    """The records of a scalars.json file, one dict per logged line."""
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ValueError(f'{path}, line {number}: not JSON ({error.msg})') from None
    if not records:
        raise ValueError(f'{path}: no logged records')
    return records


def work_dir_records(work_dir: str) -> List[dict]:
    """The training records of every run logged in ``work_dir`` (``<timestamp>/vis_data/
    scalars.json``, in time order), a resumed run's replacing the iterations it repeats;
    ``[]`` when there is none."""
    by_iter = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                record = json.loads(line) if line.strip() else {}
                if 'iter' in record:
                    by_iter[record['iter']] = record
    return [by_iter[i] for i in sorted(by_iter)]


def logged_keys(records: Sequence[dict]) -> List[str]:
    """The sorted value keys of ``records``."""
    return sorted({key for record in records for key in record} - set(POSITION_KEYS))


def series(records: Sequence[dict], key: str,
           source: str = 'log') -> Tuple[np.ndarray, np.ndarray, str]:
    """``(x, y, x_label)`` of ``key``: both ``(N,)`` float arrays, x the training iteration of
    training records, else mmengine's ``step`` (an epoch or an iteration, named by
    ``x_label``). ``source`` names the log in the error of a missing key."""
    hits = [record for record in records if key in record]
    if not hits:
        raise KeyError(f'{source} has no key {key!r}; its keys: {", ".join(logged_keys(records))}')
    y = np.array([record[key] for record in hits], dtype=float)
    if all('iter' in record for record in hits):
        return np.array([record['iter'] for record in hits], dtype=float), y, 'iteration'
    epoch_based = any('epoch' in record for record in records)
    x = np.array([record['step'] for record in hits], dtype=float)
    return x, y, 'epoch' if epoch_based else 'iteration'


def plot_curves(runs: Dict[str, Sequence[dict]], keys: Sequence[str], out: str,
                title: str = 'Training curves', panel_size: Tuple[float, float] = (6.0, 2.5),
                dpi: int = 100) -> None:
    """Plot ``keys`` of every run into the PNG ``out``, one panel per key, one line per run.

    Args:
        runs: legend name -> the records of that run (:func:`read_scalars`).
        keys: logged keys, e.g. ``['loss', 'lr']``.
        out: output PNG path.
        title: title of the figure.
        panel_size: ``(width, height)`` of one panel, inches.
        dpi: pixels per inch of the PNG.
    """
    curves = {key: {name: series(records, key, name) for name, records in runs.items()}
              for key in keys}  # every missing key fails before drawing
    width, height = panel_size
    figure = Figure(figsize=(width, height * len(keys) + 0.4), dpi=dpi, layout='constrained')
    FigureCanvasAgg(figure)
    figure.suptitle(title)
    for axes, key in zip(figure.subplots(len(keys), 1, squeeze=False)[:, 0], keys):
        for name, (x, y, x_label) in curves[key].items():
            axes.plot(x, y, marker='.' if len(x) < 30 else None, label=name)
        axes.set_xlabel(x_label)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(AXIS_LABELS.get(key, key))
        axes.grid(alpha=0.3)
        axes.legend(fontsize='small')
    figure.savefig(out)


def iteration_times(records: Sequence[dict]) -> Tuple[np.ndarray, np.ndarray]:
    """``(iters, seconds)``: the ``time`` of every training record, both ``(N,)`` arrays."""
    timed = [record for record in records if 'iter' in record and 'time' in record]
    return (np.array([record['iter'] for record in timed], dtype=int),
            np.array([record['time'] for record in timed], dtype=float))
