# PixDepth on a narrow ResNet-18 for CPU runs: 16 base channels (a sixteenth of the usual
# ResNet-18's compute; C5 has 128 channels), output stride 8 (stages 3 and 4 dilated), so a
# 64x64 view gives 8x8 cells and a 128x128 image 16x16; a projector 512 wide, 3 x 64 projected
# channels for the three zipped threshold groups.
_base_ = './pixdepth.py'
model = dict(
    backbone=dict(
        type='ResNet', depth=18, base_channels=16, stem_channels=16, out_indices=(3, ),
        strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4), norm_cfg=dict(type='SyncBN'),
        zero_init_residual=False),
    neck=dict(
        type='PixelProjector', in_channels=128, hid_channels=512, out_channels=192,
        norm_cfg=dict(type='SyncBN')))
