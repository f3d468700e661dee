"""Depth in metres to the 16-bit millimetre PNG values every converter writes."""
import numpy as np

#: The largest depth a 16-bit millimetre PNG holds, in metres.
MAX_DEPTH_M = 65.535


def metres_to_mm(depth_m: np.ndarray, where: str) -> np.ndarray:
    """Metres -> uint16 millimetres; NaN and values <= 0 become 0 (missing).

    Raises:
        ValueError: a depth beyond :data:`MAX_DEPTH_M`, naming ``where`` (the file and frame)
            and the largest value: it cannot be stored, and writing it as missing would hide a
            wrong unit or scale.
    """
    depth_m = np.asarray(depth_m, dtype=np.float64)
    valid = np.isfinite(depth_m) & (depth_m > 0)
    too_far = valid & (depth_m > MAX_DEPTH_M)
    if too_far.any():
        raise ValueError(f'{where}: depth up to {depth_m[too_far].max():g} m does not fit a 16-bit '
                         f'millimetre PNG (max {MAX_DEPTH_M} m); are the values in metres?')
    return np.where(valid, np.round(depth_m * 1000), 0).astype(np.uint16)
