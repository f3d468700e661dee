# DeepLabV3 (output stride 8) on a ResNet-34.
_base_ = './deeplabv3.py'
model = dict(backbone=dict(depth=34))
