"""A progress bar over a loop, or none."""
from typing import Iterable, Sequence

from mmengine.utils import track_iter_progress


def progress(items: Sequence, enabled: bool = True) -> Iterable:
    """``items`` with mmengine's progress bar (one step per item) when ``enabled``."""
    return track_iter_progress(list(items)) if enabled else items
