# Depth Contrast pretraining of a ResNet-50 on the 3DPM data (train split): depth view as anchor,
# the reflectance view of the same sample as positive, every other view of the batch negative,
# temperature 0.1; batch 252 on one GPU, Adam lr 5e-5, 300 epochs (the paper's recipe).
_base_ = [
    './_base_/models/depthcontrast_r50.py',
    './_base_/datasets/3dpm_depth_contrast.py',
    './_base_/schedules/adam_300e_depthcontrast.py',
    './_base_/pretrain_runtime.py',
]
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
