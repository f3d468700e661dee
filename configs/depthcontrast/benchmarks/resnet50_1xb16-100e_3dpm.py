# Material classification on 3DPM, fine-tuning a ResNet-50. Input: (depth, reflectance, depth)
# as 3 channels; training on random 224x224 crops, test on the whole sample at 896x896; model
# selection on validation weighted F1. The encoder starts from mmpretrain's ImageNet-1k weights
# (the ImageNet baseline); for a Depth Contrast encoder give its checkpoint:
#   CKPT=work_dirs/depthcontrast_resnet50_1xb252-300e_3dpm-224x224/epoch_300.pth
#   python tools/train.py configs/depthcontrast/benchmarks/resnet50_1xb16-100e_3dpm.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=$CKPT
# model.backbone.init_cfg=None trains from scratch.
_base_ = [
    '../../_base_/datasets/3dpm_cls.py',
    '../../_base_/schedules/adam_100e_cls-3dpm.py',
    '../../_base_/cls_runtime.py',
]
model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(
        type='ClsDataPreprocessor', num_classes=7, mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], to_rgb=False),
    backbone=dict(
        type='ResNet', depth=50, out_indices=(3, ), norm_cfg=dict(type='BN'),
        # mmpretrain's ResNet zeroes the last BN of each block AFTER any init_cfg but its own
        # 'Pretrained' one: it would overwrite the loaded weights
        zero_init_residual=False,
        init_cfg=dict(
            type='PretrainedBackbone',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
            'resnet50_8xb32_in1k_20210831-ea4938fc.pth')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead', num_classes=7, in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
