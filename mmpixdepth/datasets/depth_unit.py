"""The unit of the depth that ``LoadDepthFromFile(normalize='none')`` gives: the unit of the
depth files, where the data states it, divided by the transform's ``scale``.

The unit of the files comes from a generated set's ``meta.json`` (``depth.unit`` or
``depth.unit_mm``, see :mod:`mmpixdepth.datasets.synthetic`), else from the dataset class's
``depth_unit_mm`` (the converted NYUv2 and ScanNet sets: mm). Configs do not state it.
"""
import json
import math
import os.path as osp
from typing import Optional


def file_unit_mm(dataset) -> Optional[float]:
    """Millimetres per value of ``dataset``'s depth files, or None where the data does not say
    (e.g. disparity, transit time, the 3DPM sensor's raw values)."""
    meta_path = osp.join(dataset.data_root or '', 'meta.json')
    if osp.isfile(meta_path):
        with open(meta_path) as f:
            depth = json.load(f).get('depth')
        if isinstance(depth, dict) and depth.get('unit') == 'mm':
            return 1.0
        if isinstance(depth, dict) and isinstance(depth.get('unit_mm'), (int, float)):
            return float(depth['unit_mm'])
    return getattr(dataset, 'depth_unit_mm', None)


def depth_unit(unit_mm: Optional[float], scale: float = 1.0) -> str:
    """The unit of file values x ``scale``: ``'mm'``, ``'cm'``, ``'m'``, another multiple of a
    millimetre (``'0.1 mm'``), or ``'file units x SCALE'`` when ``unit_mm`` is None."""
    if unit_mm is None:
        return f'file units x {scale:g}'
    size_mm = unit_mm / scale
    for name, size in (('mm', 1.0), ('cm', 10.0), ('m', 1000.0)):
        if math.isclose(size_mm, size, rel_tol=1e-6):
            return name
    return f'{size_mm:g} mm'
