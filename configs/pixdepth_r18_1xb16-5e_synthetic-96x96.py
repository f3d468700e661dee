# PixDepth on the built-in synthetic RGB-D data, sized for a CPU: ResNet-18 with a stride-16 C5
# (the last stage dilated, same weights as the usual ResNet-18) so a 96x96 view gives 6x6 cells,
# a narrower projector, 5 epochs (about 5 minutes on 2 CPU cores). Used by the quick start and
# the tests.
_base_ = [
    './_base_/models/pixdepth_r34.py',
    './_base_/datasets/pixpro_synthetic_rgbd.py',
    './_base_/schedules/sgd_cosine_500e.py',
    './_base_/pretrain_runtime.py',
]
model = dict(
    backbone=dict(depth=18, strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
    neck=dict(hid_channels=1024))
train_dataloader = dict(batch_size=16)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=4, eta_min=0., by_epoch=True, begin=1, end=5,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=5)
default_hooks = dict(logger=dict(interval=10))
