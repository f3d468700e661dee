# PixDepth on the built-in synthetic RGB-D data, sized for a CPU: ResNet-18 with a stride-16 C5
# (the last stage dilated, same weights as the usual ResNet-18) so a 96x96 view gives 6x6 cells,
# a narrower projector, 5 epochs (about 5 minutes on 2 CPU cores). Used by the quick start and
# the tests.
_base_ = [
    '../_base_/models/pixdepth_r18.py',
    '../_base_/datasets/pixpro_synthetic_rgbd.py',
    '../_base_/schedules/sgd_cosine_5e.py',
    '../_base_/pretrain_runtime.py',
]
model = dict(
    backbone=dict(strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
    neck=dict(hid_channels=1024))
train_dataloader = dict(batch_size=16)
default_hooks = dict(logger=dict(interval=10))
