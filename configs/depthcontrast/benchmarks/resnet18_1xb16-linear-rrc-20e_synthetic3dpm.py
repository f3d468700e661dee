# Linear evaluation on the synthetic 3DPM-like data: the ResNet-18 encoder of a Depth Contrast
# checkpoint is frozen (stem and 4 stages, BN statistics fixed); only the linear head learns.
#   CKPT=work_dirs/depthcontrast_resnet18_1xb16-rrc-20e_synthetic3dpm-56x56/epoch_20.pth
#   python tools/train.py \
#       configs/depthcontrast/benchmarks/resnet18_1xb16-linear-rrc-20e_synthetic3dpm.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=$CKPT
_base_ = './resnet18_1xb16-rrc-20e_synthetic3dpm.py'
model = dict(backbone=dict(frozen_stages=4, norm_eval=True))
