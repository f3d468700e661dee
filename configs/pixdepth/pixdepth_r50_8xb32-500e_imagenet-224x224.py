# PixDepth, ResNet-50, ImageNet images with depth maps predicted by tools/generate_depth.py
# (data/imagenet/train and data/imagenet/train_depth, same relative paths); 8 GPUs x 32,
# 500 epochs. The encoder of deeplabv3_r50-frozen_1xb32-80e_nyuv2-480x480.py.
_base_ = [
    '../_base_/models/pixdepth_r50.py',
    '../_base_/datasets/pixpro_imagenet_depth.py',
    '../_base_/schedules/sgd_cosine_500e.py',
    '../_base_/pretrain_runtime.py',
]
train_dataloader = dict(batch_size=32)
