"""Side-by-side timing of several callables with ``torch.utils.benchmark``.

Each case gets one ``Measurement`` (seconds per call) per repeat from
``Timer.blocked_autorange``. Within a repeat the cases are measured one after the other, starting
one case later each repeat, so that load from other processes hits the compared cases alike, and
the ratio of two cases is taken per repeat: measured close in time, it cancels the slow changes of
the machine's load.
"""
import statistics
from typing import Callable, Dict, List, Sequence

import torch
from torch.utils.benchmark import Measurement, Timer

MIN_RUN_TIME = 0.2  # seconds, blocked_autorange's default


def interleaved_measurements(cases: Dict[str, Callable[[], object]], repeats: int,
                             min_calls: int = 1, warmup: int = 1,
                             label: str = '') -> Dict[str, List[Measurement]]:
    """Measure every case ``repeats`` times, interleaved.

    Args:
        cases: name -> callable without arguments (one call is the timed unit).
        repeats: measurements per case.
        min_calls: timed calls per measurement, about (exactly if calls take as long as in
            the warm-up): ``blocked_autorange`` times calls for ``max(MIN_RUN_TIME,
            min_calls * t)`` seconds, ``t`` being the seconds per call of the warm-up; it adds
            one untimed call or block of its own.
        warmup: untimed calls of each case first (``Timer.timeit``), at least 1.
        label: label of the measurements.

    Returns:
        name -> ``repeats`` Measurements, in the order of the repeats.
    """
    timers = {
        name: Timer('fn()', globals=dict(fn=fn), label=label, description=name,
                    num_threads=torch.get_num_threads())
        for name, fn in cases.items()
    }
    run_time = {
        name: max(MIN_RUN_TIME, min_calls * timer.timeit(max(warmup, 1)).median)
        for name, timer in timers.items()
    }
    names = list(cases)
    measurements = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            measurements[name].append(
                timers[name].blocked_autorange(min_run_time=run_time[name]))
    return measurements


def merged_median(measurements: Sequence[Measurement]) -> float:
    """Median seconds per call over all the timed blocks of one case's measurements."""
    merged, = Measurement.merge(measurements)
    return merged.median


def median_ratio(a: Sequence[Measurement], b: Sequence[Measurement]) -> float:
    """Median over repeats of ``a[r].median / b[r].median``."""
    return statistics.median(x.median / y.median for x, y in zip(a, b))
