from .synthetic import generate_synthetic_rgbd
from .synthetic_dataset import SyntheticRGBDDataset, SyntheticRGBDSegDataset
from .transforms import LoadDepthFromFile

__all__ = [
    'generate_synthetic_rgbd', 'SyntheticRGBDDataset', 'SyntheticRGBDSegDataset', 'LoadDepthFromFile'
]
