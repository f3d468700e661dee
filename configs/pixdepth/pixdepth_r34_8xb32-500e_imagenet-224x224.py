# PixDepth, ResNet-34, ImageNet images with depth maps predicted by a monocular estimator
# (data/imagenet/train and data/imagenet/train_depth, same relative paths); 8 GPUs x 32.
_base_ = [
    '../_base_/models/pixdepth_r34.py',
    '../_base_/datasets/pixpro_imagenet_depth.py',
    '../_base_/schedules/sgd_cosine_500e.py',
    '../_base_/pretrain_runtime.py',
]
train_dataloader = dict(batch_size=32)
