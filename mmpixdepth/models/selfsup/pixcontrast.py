"""PixContrast: PixDepth's pixel contrast without the depth test."""
from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from .pixpro import PixPro


@register_module(PRETRAIN_MODELS)
class PixContrast(PixPro):
    """PixContrast: cell pairs by image distance only (as :class:`PixPro`) under the pixel
    contrast head (as :class:`PixDepth`), the baseline that differs from PixDepth by depth
    alone.

    Args:
        head (dict): the pixel loss. Defaults to ``dict(type='PixelContrastHead')``.
        **kwargs: the other arguments of :class:`PixPro`.
    """

    def __init__(self, *args, head: dict = dict(type='PixelContrastHead'), **kwargs) -> None:
        super().__init__(*args, head=head, **kwargs)
