# DeepLabV3 on the narrow ResNet-18 (16 base channels, output stride 8) of the CPU pretraining
# configs, trained end to end from scratch on the built-in synthetic RGB-D data: the supervised
# reference of the synthetic benchmarks, whose frozen-encoder probes also read their datasets,
# encoder and head from this config.
_base_ = './deeplabv3_r18_1xb8-20e_synthetic-128x128.py'
model = dict(
    backbone=dict(base_channels=16, stem_channels=16),
    decode_head=dict(in_channels=128, channels=64))
train_dataloader = dict(batch_size=16)
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0, end=40)]
train_cfg = dict(max_epochs=40, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=1, save_best=None),
                     logger=dict(interval=50))
custom_hooks = [dict(type='CheckInvalidLossHook')]
