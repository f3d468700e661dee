# Linear evaluation on the synthetic 3DPM-like data: the ResNet-18 encoder of a Depth Contrast
# checkpoint is frozen (stem and 4 stages, BN statistics fixed); only the linear head learns.
#   CKPT=work_dirs/depthcontrast_r18_1xb16-20e_synthetic3dpm-56x56/epoch_20.pth
#   python tools/train.py configs/cls_r18-frozen_1xb16-20e_synthetic3dpm-56x56.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=$CKPT
_base_ = './cls_r18_1xb16-20e_synthetic3dpm-56x56.py'
model = dict(backbone=dict(frozen_stages=4, norm_eval=True))
