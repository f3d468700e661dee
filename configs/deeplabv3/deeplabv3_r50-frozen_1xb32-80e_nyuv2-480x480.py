# DeepLabV3 on the FROZEN pretrained ResNet-50 encoder, NYUv2 40-class segmentation.
# The paper's recipe: Adam lr 1e-3, cosine, 80 epochs, batch 32.
#   tools/dist_train.sh configs/deeplabv3/deeplabv3_r50-frozen_1xb32-80e_nyuv2-480x480.py 1 \
#       --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    '../_base_/models/deeplabv3_r50.py',
    '../_base_/datasets/nyuv2_seg.py',
    '../_base_/schedules/adam_cosine_80e.py',
    '../_base_/seg_runtime.py',
]
model = dict(
    backbone=dict(
        frozen_stages=4,
        norm_eval=True,
        init_cfg=dict(type='PretrainedBackbone', checkpoint=None)),
    decode_head=dict(num_classes=40))
train_dataloader = dict(batch_size=32)
