# DeepLabV3 (output stride 8) on a ResNet-50 (C5 of 2048 channels, a wider ASPP).
_base_ = './deeplabv3.py'
model = dict(backbone=dict(depth=50), decode_head=dict(in_channels=2048, channels=512))
