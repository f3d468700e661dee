# PixDepth on the NYUv2 training images with their sensor depth; ResNet-50 (C5 of 2048
# channels), 8 GPUs x 32, 500 epochs. Transfer: deeplabv3_r50-frozen_1xb32-80e_nyuv2-480x480.py.
# The 795 training frames make a small pretraining set: pixdepth_r50_8xb32-500e_imagenet-224x224.py
# gives the same encoder pretrained on ImageNet with monocular depth.
_base_ = [
    '../_base_/models/pixdepth_r50.py',
    '../_base_/datasets/pixpro_nyuv2.py',
    '../_base_/schedules/sgd_cosine_500e.py',
    '../_base_/pretrain_runtime.py',
]
train_dataloader = dict(batch_size=32)
