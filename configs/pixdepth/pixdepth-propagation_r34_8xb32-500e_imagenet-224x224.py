# PixDepth, propagation variant (what the authors' public code trains): PixPro's pixel
# propagation module (per threshold group) and consistency loss on the positives; otherwise as
# pixdepth_r34_imagenet.py.
_base_ = './pixdepth_r34_8xb32-500e_imagenet-224x224.py'
model = dict(
    head=dict(
        _delete_=True,
        type='PixelPropagationHead',
        ppm=dict(type='PixelPropagation', channels=384, gamma=2.0, num_layers=1)))
# PixPro's official optimiser (see pixdepth-propagation_r18-w16_1xb32-100e_synthetic-64x64.py):
# LARS, lr 1.0 x 256 / 256 for 8 GPUs x 32
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='LARS', lr=1.0, momentum=0.9, weight_decay=1e-5,
                   eta=0.001),
    paramwise_cfg=dict(custom_keys={k: dict(decay_mult=0, lars_exclude=True)
                                    for k in ('bn', 'bias', 'downsample.1', 'neck.mlp.1')}))
auto_scale_lr = dict(base_batch_size=256)
