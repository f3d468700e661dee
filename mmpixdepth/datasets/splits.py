"""Deterministic class-stratified splits and label fractions.

Within each class the samples are put in a random order drawn from a generator seeded with
``(seed, class label)``, so the result depends only on the labels and the seed (not on other
classes, the platform or the Python hash seed).
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np


def _class_orders(labels: np.ndarray, seed: int):
    """``{label: indices of that class in a seeded random order}``."""
    return {
        int(label): np.random.default_rng([seed, int(label)]).permutation(
            np.flatnonzero(labels == label))
        for label in np.unique(labels)
    }


def _as_labels(labels: Sequence[int]) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or (labels < 0).any():
        raise ValueError('labels must be a 1-D sequence of class indices >= 0')
    return labels


def stratified_split(labels: Sequence[int], ratios: Sequence[float],
                     seed: int = 0) -> List[np.ndarray]:
    """Split sample indices into parts holding each class in the proportions ``ratios``.

    In each class of n samples, part k gets the samples from ``round(n * R_{k-1})`` to
    ``round(n * R_k)`` of the seeded order, ``R_k`` being the cumulative ratio, so the parts
    partition the class (20 samples at 0.6/0.2/0.2: 12/4/4).

    Args:
        labels (Sequence[int]): Class index of every sample.
        ratios (Sequence[float]): Positive ratios summing to 1, e.g. (0.6, 0.2, 0.2).
        seed (int): Defaults to 0.

    Returns:
        list[np.ndarray]: Sorted sample indices of each part.
    """
    labels = _as_labels(labels)
    ratios = np.asarray(ratios, dtype=np.float64)
    if ratios.ndim != 1 or not len(ratios) or (ratios <= 0).any() or \
            not np.isclose(ratios.sum(), 1.0):
        raise ValueError(f'ratios must be positive and sum to 1, got {ratios.tolist()}')
    cumulative = np.concatenate([[0.], np.cumsum(ratios)])
    cumulative[-1] = 1.0
    parts = [[] for _ in ratios]
    for order in _class_orders(labels, seed).values():
        cuts = np.floor(len(order) * cumulative + 0.5).astype(int)
        for k, part in enumerate(parts):
            part.append(order[cuts[k]:cuts[k + 1]])
    return [np.sort(np.concatenate(part)) for part in parts]


def stratified_fraction(labels: Sequence[int], fraction: float,
                        seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Keep a class-stratified ``fraction`` of the samples (for label-scarce training).

    Each class of n samples keeps ``max(1, round(fraction * n))`` of them, the first ones of
    the seeded order: with the same seed a smaller fraction is a subset of a larger one.

    Args:
        labels (Sequence[int]): Class index of every sample.
        fraction (float): In (0, 1].
        seed (int): Defaults to 0.

    Returns:
        tuple[np.ndarray, np.ndarray]: Sorted indices of the kept samples and of the rest.
    """
    labels = _as_labels(labels)
    if not 0 < fraction <= 1:
        raise ValueError(f'fraction must be in (0, 1], got {fraction!r}')
    kept, rest = [np.zeros(0, int)], [np.zeros(0, int)]
    for order in _class_orders(labels, seed).values():
        count = max(1, int(np.floor(fraction * len(order) + 0.5)))
        kept.append(order[:count])
        rest.append(order[count:])
    return np.sort(np.concatenate(kept)), np.sort(np.concatenate(rest))


def stratified_kfold(labels: Sequence[int], num_folds: int = 5,
                     seed: int = 0) -> List[Dict[str, np.ndarray]]:
    """Class-stratified k-fold train/val/test parts: fold f tests on part f, validates on part
    ``(f + 1) % k`` and trains on the other ``k - 2`` parts.

    Each class's seeded order is cut into ``k`` contiguous parts of ``round(n * i / k)`` to
    ``round(n * (i + 1) / k)``; with ``k = 5`` every fold is a 60/20/20 split and every sample
    is tested in exactly one fold.

    Args:
        labels (Sequence[int]): Class index of every sample.
        num_folds (int): ``k >= 3``. Defaults to 5.
        seed (int): Defaults to 0.

    Returns:
        list[dict]: Per fold, ``{'train': idx, 'val': idx, 'test': idx}`` sorted indices.
    """
    labels = _as_labels(labels)
    if isinstance(num_folds, bool) or not isinstance(num_folds, int) or num_folds < 3:
        raise ValueError(f'num_folds must be an integer >= 3 (train, val and test parts), '
                         f'got {num_folds!r}')
    parts = stratified_split(labels, [1 / num_folds] * num_folds, seed)
    folds = []
    for fold in range(num_folds):
        val = (fold + 1) % num_folds
        train = [parts[i] for i in range(num_folds) if i not in (fold, val)]
        folds.append(dict(train=np.sort(np.concatenate(train)), val=parts[val],
                          test=parts[fold]))
    return folds
