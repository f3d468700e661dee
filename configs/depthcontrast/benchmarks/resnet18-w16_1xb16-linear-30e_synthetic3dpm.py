# Linear evaluation on the synthetic 3DPM-like data with the paper's views: the narrow ResNet-18
# (a Depth Contrast checkpoint as model.backbone.init_cfg.checkpoint, or init_cfg=None for a
# random encoder) is frozen (stem and 4 stages, BN statistics fixed); only the linear head learns.
_base_ = './resnet18-w16_1xb16-30e_synthetic3dpm.py'
model = dict(backbone=dict(frozen_stages=4, norm_eval=True))
optim_wrapper = dict(optimizer=dict(lr=1e-2))
