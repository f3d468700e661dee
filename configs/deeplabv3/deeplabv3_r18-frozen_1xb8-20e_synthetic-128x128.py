# DeepLabV3 on the FROZEN encoder of a pretraining checkpoint (the paper's protocol), on the
# built-in synthetic RGB-D data. Needs the checkpoint:
#   python tools/train.py configs/deeplabv3/deeplabv3_r18-frozen_1xb8-20e_synthetic-128x128.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/.../epoch_5.pth
# (model.backbone.init_cfg=None instead: a frozen random encoder, the lower bound).
_base_ = './deeplabv3_r18_1xb8-20e_synthetic-128x128.py'
model = dict(
    backbone=dict(
        frozen_stages=4,  # stem and the 4 stages: no gradient, BN statistics fixed
        norm_eval=True,
        init_cfg=dict(type='PretrainedBackbone', checkpoint=None)))
