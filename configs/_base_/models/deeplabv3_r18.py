# DeepLabV3 (output stride 8) on a ResNet-18.
_base_ = './deeplabv3.py'
model = dict(backbone=dict(depth=18))
