# Linear evaluation on 3DPM: the ResNet-50 encoder (ImageNet weights, or a Depth Contrast
# checkpoint given as model.backbone.init_cfg.checkpoint) is FROZEN (stem and 4 stages: no
# gradient, BN statistics fixed); only the linear head learns.
_base_ = './resnet50_1xb16-100e_3dpm.py'
model = dict(backbone=dict(frozen_stages=4, norm_eval=True))
