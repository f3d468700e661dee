# The trainable-encoder variant of deeplabv3_r50-frozen_1xb32-80e_nyuv2-480x480.py.
_base_ = './deeplabv3_r50-frozen_1xb32-80e_nyuv2-480x480.py'
model = dict(backbone=dict(frozen_stages=-1, norm_eval=False))
