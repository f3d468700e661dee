from .synthetic import generate_synthetic_rgbd
from .synthetic_dataset import SyntheticRGBDDataset, SyntheticRGBDSegDataset
from .transforms import LoadDepthFromFile

__all__ = [
    'generate_synthetic_rgbd', 'SyntheticRGBDDataset', 'SyntheticRGBDSegDataset', 'LoadDepthFromFile'
]
from .rgbd_folder import RGBDFolderDataset  # noqa: E402
from .transforms import PixProViews  # noqa: E402

__all__ += ['RGBDFolderDataset', 'PixProViews']
from .borehole import BoreholeDataset  # noqa: E402
from .cityscapes_rgbd import CityscapesRGBDDataset  # noqa: E402
from .nyuv2 import NYUv2SegDataset  # noqa: E402
from .rgbd_seg import RGBDSegDataset  # noqa: E402
from .scannet_frames import ScanNetFramesDataset  # noqa: E402

__all__ += [
    'RGBDSegDataset', 'BoreholeDataset', 'CityscapesRGBDDataset', 'NYUv2SegDataset',
    'ScanNetFramesDataset'
]
from .splits import stratified_fraction, stratified_kfold, stratified_split  # noqa: E402
from .synthetic_3dpm import generate_synthetic_3dpm  # noqa: E402
from .three_dpm import ThreeDPMDataset, write_3dpm_folds, write_3dpm_splits  # noqa: E402

__all__ += [
    'stratified_fraction', 'stratified_kfold', 'stratified_split', 'generate_synthetic_3dpm',
    'ThreeDPMDataset', 'write_3dpm_folds', 'write_3dpm_splits'
]
