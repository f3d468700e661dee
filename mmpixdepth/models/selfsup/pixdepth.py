"""PixDepth (WACV 2023): PixPro whose positive cell pairs must also be close in depth."""
from mmpixdepth.registry import PRETRAIN_MODELS, register_module
from ..utils import PixelPairMasks
from .pixpro import PixPro


@register_module(PRETRAIN_MODELS)
class PixDepth(PixPro):
    """PixDepth: a cell pair (i of view 1, j of view 2) is positive when the cells are closer
    than ``dist_thr`` feature-bin diagonals in the original image AND their depths differ by at
    most ``depth_thr`` (depth normalised to [0, 1]); see
    :func:`mmpixdepth.models.utils.pixel_pair_masks`. Depth only selects pairs: it is never an
    input of the network. With the paper's pixel contrast head (:class:`PixelContrastHead`)
    every other pair is a negative, so close pairs at different depths are pushed apart; with
    :class:`PixelPropagationHead` it is the variant the authors' public code trains.

    Thresholds ``(dist_thr[k], depth_thr[k])`` are zipped into channel groups
    (:func:`~mmpixdepth.models.utils.threshold_groups`). ``depth_thr=None`` disables the depth
    test: the model is then :class:`PixPro` (or :class:`PixContrast`) exactly.

    Args:
        depth_thr (float | list[float], optional): depth thresholds T'. Defaults to None.
        head (dict): the pixel loss. Defaults to ``dict(type='PixelContrastHead')``.
        **kwargs: the other arguments of :class:`PixPro`.
    """

    takes_depth = True

    def __init__(self, *args, head: dict = dict(type='PixelContrastHead'), **kwargs) -> None:
        super().__init__(*args, head=head, **kwargs)

    def pair_masks(self, coord, depth, feat_hw) -> PixelPairMasks:
        """As :meth:`PixPro.pair_masks`, with the depth test of each group."""
        if not self.uses_depth:
            return super().pair_masks(coord, depth, feat_hw)
        if depth.shape[-2:] != feat_hw:
            raise ValueError(
                f'the feature map is {feat_hw} but the per-cell depth from the data pipeline is '
                f'{tuple(depth.shape[-2:])}: set PixProViews.feat_stride to the backbone\'s '
                'output stride (crop_size // feature size)')
        dist_thr, depth_thr = (list(t) for t in zip(*self.groups))
        return PixelPairMasks(coord[:, 0], coord[:, 1], feat_hw, dist_thr, depth[:, 0],
                              depth[:, 1], depth_thr)
