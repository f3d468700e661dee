# The trainable-encoder variant of deeplabv3_r34-frozen_1xb32-80e_borehole-256x256.py: the
# pretrained encoder is fine-tuned with the head.
_base_ = './deeplabv3_r34-frozen_1xb32-80e_borehole-256x256.py'
model = dict(backbone=dict(frozen_stages=-1, norm_eval=False))
