import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


def pointwise(layers: nn.Module, x: Tensor) -> Tensor:
    """Run ``layers`` (a module, or an ``nn.Sequential`` of them) on a [B, C, H, W] map.

    A 1x1 convolution (stride 1, no padding, no groups) runs as one matrix product over the
    B*H*W cells, ``F.linear`` on [B*H*W, C] with the convolution's own weight and bias: the
    same result as ``conv2d`` (up to float rounding), about twice as fast on CPU for the small
    maps of pixel heads, where ``conv2d`` takes its im2col path. Other modules are called as
    they are.
    """
    for layer in (layers if isinstance(layers, nn.Sequential) else [layers]):
        if (isinstance(layer, nn.Conv2d) and layer.kernel_size == (1, 1)
                and layer.stride == (1, 1) and layer.padding == (0, 0)
                and layer.dilation == (1, 1) and layer.groups == 1):
            b, _, h, w = x.shape
            cells = x.permute(0, 2, 3, 1).reshape(b * h * w, -1)  # [B*H*W, C]
            x = F.linear(cells, layer.weight.flatten(1), layer.bias)
            x = x.view(b, h, w, -1).permute(0, 3, 1, 2).contiguous()
        else:
            x = layer(x)
    return x
