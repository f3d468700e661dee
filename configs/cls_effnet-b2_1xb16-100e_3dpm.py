# Material classification on 3DPM, fine-tuning the EfficientNet-B2 encoder of a Depth Contrast
# checkpoint (the paper's setting; 1408-channel features).
#   CKPT=work_dirs/depthcontrast_effnet-b2_1xb252-300e_3dpm/epoch_300.pth
#   python tools/train.py configs/cls_effnet-b2_1xb16-100e_3dpm.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=$CKPT
_base_ = './cls_r50_1xb16-100e_3dpm.py'
model = dict(
    backbone=dict(
        _delete_=True, type='EfficientNet', arch='b2', out_indices=(6, ),
        init_cfg=dict(type='PretrainedBackbone', checkpoint=None)),
    head=dict(in_channels=1408))
