"""1x1 convolutions of the pixel heads run as matrix products with the same result."""
import torch
import torch.nn as nn

from mmpixdepth.models.necks.pointwise import pointwise


def test_pointwise_equals_the_modules_own_forward():
    torch.manual_seed(0)
    layers = nn.Sequential(
        nn.Conv2d(8, 16, 1), nn.BatchNorm2d(16), nn.ReLU(), nn.Conv2d(16, 6, 1, bias=False),
        nn.Conv2d(6, 4, 3, padding=1))  # not 1x1: called as it is
    x = torch.randn(3, 8, 5, 7)
    params = list(layers.parameters())
    got = pointwise(layers, x.clone().requires_grad_(True))
    grads = torch.autograd.grad(got.square().sum(), params)
    expected = layers(x)
    expected_grads = torch.autograd.grad(expected.square().sum(), params)
    assert got.shape == expected.shape and got.is_contiguous()
    assert torch.allclose(got, expected, atol=1e-5)
    for a, b in zip(grads, expected_grads):
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-4)
    conv = nn.Conv2d(8, 4, 1)
    assert torch.allclose(pointwise(conv, x), conv(x), atol=1e-6)
