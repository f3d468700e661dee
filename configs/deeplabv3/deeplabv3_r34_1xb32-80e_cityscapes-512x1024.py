# The trainable-encoder variant of deeplabv3_r34-frozen_1xb32-80e_cityscapes-512x1024.py.
_base_ = './deeplabv3_r34-frozen_1xb32-80e_cityscapes-512x1024.py'
model = dict(backbone=dict(frozen_stages=-1, norm_eval=False))
