# PixDepth on Cityscapes images with the stereo disparity maps as depth (no monocular
# estimator); ResNet-34, 8 GPUs x 32, 500 epochs. Transfer: deeplabv3_r34-frozen_1xb32-80e_
# cityscapes-512x1024.py.
_base_ = [
    '../_base_/models/pixdepth_r34.py',
    '../_base_/datasets/pixpro_cityscapes.py',
    '../_base_/schedules/sgd_cosine_500e.py',
    '../_base_/pretrain_runtime.py',
]
train_dataloader = dict(batch_size=32)
