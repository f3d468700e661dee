"""Converters from the official downloads of the real datasets to the layouts of the dataset
classes (``tools/dataset_converters/``). Optional readers (h5py, dlisio, cityscapesscripts)
are imported only when a file needs them."""
from . import borehole, cityscapes, nyuv2, scannet, three_dpm_folds

__all__ = ['borehole', 'cityscapes', 'nyuv2', 'scannet', 'three_dpm_folds']
