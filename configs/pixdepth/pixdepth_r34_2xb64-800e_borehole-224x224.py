# PixDepth on borehole images: one-channel ultrasonic amplitude, transit time as the depth proxy;
# ResNet-34, 2 GPUs x 64, 800 epochs (paper section 4).
_base_ = [
    '../_base_/models/pixdepth_r34.py',
    '../_base_/datasets/pixpro_borehole.py',
    '../_base_/schedules/sgd_cosine_800e.py',
    '../_base_/pretrain_runtime.py',
]
train_dataloader = dict(batch_size=64)
