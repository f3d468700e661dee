# Linear evaluation (frozen EfficientNet-B2 encoder) in the label-scarce setting of
# cls_effnet-b2_1xb16-100e_3dpm-20pct.py.
_base_ = './cls_effnet-b2_1xb16-100e_3dpm-20pct.py'
model = dict(backbone=dict(frozen_stages=7, norm_eval=True))
