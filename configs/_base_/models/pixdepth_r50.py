# PixDepth on a ResNet-50 (7x7 stem, C5 map of 2048 channels at stride 32); the projection
# has 384 = 3 x 128 channels, one group of 128 per threshold pair.
_base_ = './pixdepth.py'
model = dict(
    backbone=dict(
        type='ResNet', depth=50, out_indices=(3, ), norm_cfg=dict(type='SyncBN'),
        zero_init_residual=False),
    neck=dict(
        type='PixelProjector', in_channels=2048, hid_channels=4096, out_channels=384,
        norm_cfg=dict(type='SyncBN')))
