from .check_labels import CheckSegLabels
from .depth_contrast import (DepthToImage, MergeModalities, ModalityViews,
                             PairedRandomResizedCrop)
from .loading import LoadDepthFromFile
from .views import BYOL_VIEW_PIPELINES, PixProViews

__all__ = [
    'CheckSegLabels', 'LoadDepthFromFile', 'BYOL_VIEW_PIPELINES', 'PixProViews', 'DepthToImage', 'MergeModalities',
    'ModalityViews', 'PairedRandomResizedCrop'
]
