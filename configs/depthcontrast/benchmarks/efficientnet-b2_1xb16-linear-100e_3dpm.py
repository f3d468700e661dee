# Linear evaluation on 3DPM with the FROZEN EfficientNet-B2 encoder (ImageNet weights, or a Depth
# Contrast checkpoint given as model.backbone.init_cfg.checkpoint): all 7 blocks frozen, BN
# statistics fixed; only the linear head learns.
_base_ = './efficientnet-b2_1xb16-100e_3dpm.py'
model = dict(backbone=dict(frozen_stages=7, norm_eval=True))
