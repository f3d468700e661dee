from .synthetic import generate_synthetic_rgbd
from .synthetic_dataset import SyntheticRGBDDataset, SyntheticRGBDSegDataset
from .transforms import LoadDepthFromFile

__all__ = [
    'generate_synthetic_rgbd', 'SyntheticRGBDDataset', 'SyntheticRGBDSegDataset', 'LoadDepthFromFile'
]
from .rgbd_folder import RGBDFolderDataset  # noqa: E402
from .transforms import PixProViews  # noqa: E402

__all__ += ['RGBDFolderDataset', 'PixProViews']
