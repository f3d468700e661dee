# PixDepth on borehole images: one-channel ultrasonic amplitude, transit time as the depth proxy;
# ResNet-34, 2 GPUs x 64, 800 epochs (paper section 4).
_base_ = [
    './_base_/models/pixdepth_r34.py',
    './_base_/datasets/pixpro_borehole.py',
    './_base_/schedules/sgd_cosine_500e.py',
    './_base_/pretrain_runtime.py',
]
train_dataloader = dict(batch_size=64)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=20,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=780, eta_min=0., by_epoch=True, begin=20, end=800,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=800)
