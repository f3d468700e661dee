# The trainable-encoder variant of deeplabv3_r18-frozen_1xb32-80e_scannet-480x480.py.
_base_ = './deeplabv3_r18-frozen_1xb32-80e_scannet-480x480.py'
model = dict(backbone=dict(frozen_stages=-1, norm_eval=False))
