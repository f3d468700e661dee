# Depth Contrast pretraining of a ResNet-50 on the 3DPM data (train split), the paper's protocol:
# the encoder starts from mmpretrain's ImageNet-1k weights, the views are one random 224x224 crop
# at the same position in depth and reflectance (no resize, no flip); the depth view is the
# anchor, the reflectance view of the same sample the positive, every other view of the batch a
# negative, temperature 0.1; batch 252 on one GPU, Adam lr 5e-5, 300 epochs.
# Offline or from scratch: --cfg-options model.backbone.init_cfg=None
_base_ = [
    '../_base_/models/depthcontrast_resnet50.py',
    '../_base_/datasets/3dpm_depthcontrast-pairs.py',
    '../_base_/schedules/adam_300e_depthcontrast.py',
    '../_base_/pretrain_runtime.py',
]
model = dict(
    backbone=dict(
        # mmpretrain's ResNet zeroes the last BN of each block AFTER any init_cfg but its own
        # 'Pretrained' one: it would overwrite the loaded weights
        zero_init_residual=False,
        init_cfg=dict(
            type='PretrainedBackbone',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
            'resnet50_8xb32_in1k_20210831-ea4938fc.pth')))
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
