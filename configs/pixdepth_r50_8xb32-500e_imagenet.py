# PixDepth, ResNet-50, ImageNet images with depth maps predicted by tools/generate_depth.py
# (data/imagenet/train and data/imagenet/train_depth, same relative paths); 8 GPUs x 32,
# 500 epochs. The encoder of deeplabv3_r50-frozen_1xb32-80e_nyuv2.py.
_base_ = './pixdepth_r34_imagenet.py'
model = dict(backbone=dict(depth=50), neck=dict(in_channels=2048))
