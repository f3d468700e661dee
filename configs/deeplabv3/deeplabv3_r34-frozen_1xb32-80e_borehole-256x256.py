# DeepLabV3 on the FROZEN pretrained ResNet-34 encoder for borehole breakout segmentation (the
# paper's protocol: Adam lr 1e-3, cosine, 80 epochs, batch 32, the best validation mIoU kept and
# early stopping). Fine-tune from a pretraining checkpoint:
#   tools/dist_train.sh configs/deeplabv3/deeplabv3_r34-frozen_1xb32-80e_borehole-256x256.py 1 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/.../epoch_800.pth
_base_ = [
    '../_base_/models/deeplabv3_r34.py',
    '../_base_/datasets/borehole_seg.py',
    '../_base_/schedules/adam_cosine_80e.py',
    '../_base_/seg_runtime.py',
]
model = dict(
    backbone=dict(
        frozen_stages=4,
        norm_eval=True,
        init_cfg=dict(type='PretrainedBackbone', checkpoint=None)),
    decode_head=dict(num_classes=2))
train_dataloader = dict(batch_size=32)
