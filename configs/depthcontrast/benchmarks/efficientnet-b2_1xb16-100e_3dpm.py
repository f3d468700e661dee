# Material classification on 3DPM, fine-tuning an EfficientNet-B2 (the paper's encoder,
# 1408-channel features) from mmpretrain's ImageNet-1k weights: the paper's ImageNet baseline.
# Fine-tuning a Depth Contrast encoder instead:
#   CKPT=work_dirs/depthcontrast_efficientnet-b2_1xb252-300e_3dpm-224x224/epoch_300.pth
#   python tools/train.py configs/depthcontrast/benchmarks/efficientnet-b2_1xb16-100e_3dpm.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=$CKPT
_base_ = './resnet50_1xb16-100e_3dpm.py'
model = dict(
    backbone=dict(
        _delete_=True, type='EfficientNet', arch='b2', out_indices=(6, ),
        init_cfg=dict(
            type='PretrainedBackbone',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/efficientnet/'
            'efficientnet-b2_3rdparty_8xb32_in1k_20220119-ea374a30.pth')),
    head=dict(in_channels=1408))
