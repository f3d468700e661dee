# Material classification on 3DPM, fine-tuning a ResNet-50 encoder pretrained by Depth Contrast.
# Input: (depth, reflectance, depth) as 3 channels; model selection on validation weighted F1.
#   CKPT=work_dirs/depthcontrast_r50_1xb252-300e_3dpm/epoch_300.pth
#   python tools/train.py configs/cls_r50_1xb16-100e_3dpm.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=$CKPT
# model.backbone.init_cfg=None trains from scratch; an ImageNet baseline uses
# init_cfg=dict(type='Pretrained', checkpoint=URL, prefix='backbone.').
_base_ = [
    './_base_/datasets/3dpm_cls.py',
    './_base_/schedules/adam_100e_cls-3dpm.py',
    './_base_/cls_runtime.py',
]
model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(
        type='ClsDataPreprocessor', num_classes=7, mean=[123.675], std=[58.395], to_rgb=False),
    backbone=dict(
        type='ResNet', depth=50, out_indices=(3, ), norm_cfg=dict(type='BN'),
        # mmpretrain's ResNet zeroes the last BN of each block AFTER any init_cfg but its own
        # 'Pretrained' one: it would overwrite the loaded weights
        zero_init_residual=False,
        init_cfg=dict(type='PretrainedBackbone', checkpoint=None)),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead', num_classes=7, in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
