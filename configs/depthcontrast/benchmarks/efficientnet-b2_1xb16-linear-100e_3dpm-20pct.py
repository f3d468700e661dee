# Linear evaluation (frozen EfficientNet-B2 encoder) in the label-scarce setting of
# efficientnet-b2_1xb16-100e_3dpm-20pct.py.
_base_ = './efficientnet-b2_1xb16-100e_3dpm-20pct.py'
model = dict(backbone=dict(frozen_stages=7, norm_eval=True))
