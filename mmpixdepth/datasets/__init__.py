from .borehole import BoreholeDataset
from .cityscapes_rgbd import CityscapesRGBDDataset
from .nyuv2 import NYUv2SegDataset
from .rgbd_folder import RGBDFolderDataset
from .rgbd_seg import RGBDSegDataset
from .scannet_frames import ScanNetFramesDataset
from .splits import stratified_fraction, stratified_kfold, stratified_split
from .synthetic import generate_synthetic_rgbd
from .synthetic_3dpm import generate_synthetic_3dpm
from .synthetic_stereo import generate_stereo_pairs
from .synthetic_dataset import SyntheticRGBDDataset, SyntheticRGBDSegDataset
from .three_dpm import ThreeDPMDataset, write_3dpm_folds, write_3dpm_splits
from .transforms import LoadDepthFromFile, PixProViews

__all__ = [
    'generate_synthetic_rgbd', 'SyntheticRGBDDataset', 'SyntheticRGBDSegDataset',
    'LoadDepthFromFile', 'RGBDFolderDataset', 'PixProViews', 'RGBDSegDataset', 'BoreholeDataset',
    'CityscapesRGBDDataset', 'NYUv2SegDataset', 'ScanNetFramesDataset', 'stratified_fraction',
    'stratified_kfold', 'stratified_split', 'generate_synthetic_3dpm', 'generate_stereo_pairs',
    'ThreeDPMDataset', 'write_3dpm_folds', 'write_3dpm_splits'
]
