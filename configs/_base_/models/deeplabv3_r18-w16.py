# DeepLabV3 (output stride 8) on the narrow ResNet-18 of the CPU pretraining configs (16 base
# channels, C5 of 128 channels) with a 64-channel ASPP head.
_base_ = './deeplabv3.py'
model = dict(
    backbone=dict(depth=18, base_channels=16, stem_channels=16),
    decode_head=dict(in_channels=128, channels=64))
