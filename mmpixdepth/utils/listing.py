"""Long lists in error messages: the first few items and how many more."""
from typing import Iterable


def first_few(items: Iterable, limit: int = 5, sep: str = ', ') -> str:
    """``'a, b, c and 4 more'``: the first ``limit`` of ``items`` (as text), then the count of
    the others."""
    items = [str(item) for item in items]
    more = f' and {len(items) - limit} more' if len(items) > limit else ''
    return sep.join(items[:limit]) + more
