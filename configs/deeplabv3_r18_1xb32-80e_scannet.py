# The trainable-encoder variant of deeplabv3_r18-frozen_1xb32-80e_scannet.py.
_base_ = './deeplabv3_r18-frozen_1xb32-80e_scannet.py'
model = dict(backbone=dict(frozen_stages=-1, norm_eval=False))
