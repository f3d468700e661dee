# Linear evaluation on 3DPM: the ResNet-50 encoder of a Depth Contrast checkpoint is FROZEN
# (stem and 4 stages: no gradient, BN statistics fixed); only the linear head learns.
#   CKPT=work_dirs/depthcontrast_r50_1xb252-300e_3dpm/epoch_300.pth
#   python tools/train.py configs/cls_r50-frozen_1xb16-100e_3dpm.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=$CKPT
_base_ = './cls_r50_1xb16-100e_3dpm.py'
model = dict(backbone=dict(frozen_stages=4, norm_eval=True))
