# DeepLabV3 on the narrow ResNet-18 (16 base channels, output stride 8) of the CPU pretraining
# configs, trained end to end from scratch on the built-in synthetic RGB-D data: the supervised
# reference of the synthetic benchmarks, whose frozen-encoder probes also read their datasets,
# encoder and head from this config.
_base_ = [
    '../_base_/models/deeplabv3_r18-w16.py',
    '../_base_/datasets/synthetic_rgbd_seg.py',
    '../_base_/schedules/adam_cosine_40e.py',
    '../_base_/seg_runtime.py',
]
model = dict(decode_head=dict(num_classes=6, dilations=(1, 6, 12, 18)))  # 16x16 maps
train_dataloader = dict(batch_size=16)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=1, save_best=None),
                     logger=dict(interval=50))
custom_hooks = [dict(type='CheckInvalidLossHook')]
