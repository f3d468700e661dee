from .loading import LoadDepthFromFile

__all__ = ['LoadDepthFromFile']
from .views import BYOL_VIEW_PIPELINES, PixProViews  # noqa: E402

__all__ += ['BYOL_VIEW_PIPELINES', 'PixProViews']
from .depth_contrast import (DepthToImage, MergeModalities, ModalityViews,  # noqa: E402
                             PairedRandomResizedCrop)

__all__ += ['DepthToImage', 'MergeModalities', 'ModalityViews', 'PairedRandomResizedCrop']
