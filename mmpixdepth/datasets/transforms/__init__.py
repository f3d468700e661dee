from .loading import LoadDepthFromFile

__all__ = ['LoadDepthFromFile']
from .views import BYOL_VIEW_PIPELINES, PixProViews  # noqa: E402

__all__ += ['BYOL_VIEW_PIPELINES', 'PixProViews']
