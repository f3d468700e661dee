"""Channel groups of projected feature maps, each an independent feature vector."""
import torch
import torch.nn.functional as F


def group_features(x: torch.Tensor, groups: int) -> torch.Tensor:
    """[B, C, H, W] -> [groups*B, C/groups, H*W] float32: the channel groups, each
    L2-normalised, stacked along the batch dimension group-major (as
    :class:`~mmpixdepth.models.utils.PixelPairMasks` stacks their masks)."""
    b, c = x.shape[:2]
    if c % groups:
        raise ValueError(f'{c} projected channels cannot be split into {groups} equal '
                         'threshold groups')
    x = F.normalize(x.float().reshape(b, groups, c // groups, -1), dim=2)
    return x.transpose(0, 1).reshape(groups * b, c // groups, -1)
