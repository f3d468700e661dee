# PixPro baseline on the synthetic data: the data, schedule, widths and three spatial thresholds
# of pixdepth_r18_1xb16-5e_synthetic-96x96.py, no depth test, PixPro's pixel propagation module
# and consistency loss.
_base_ = '../pixdepth/pixdepth_r18_1xb16-5e_synthetic-96x96.py'
model = dict(
    type='PixPro',
    head=dict(
        _delete_=True,
        type='PixelPropagationHead',
        ppm=dict(type='PixelPropagation', channels=384, gamma=2.0, num_layers=1)),
    depth_thr=None)
# PixPro's official optimiser (see pixdepth-propagation_r18-w16_1xb32-100e_synthetic-64x64.py):
# LARS, lr 1.0 x 16 / 256
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='LARS', lr=0.0625, momentum=0.9, weight_decay=1e-5,
                   eta=0.001),
    paramwise_cfg=dict(custom_keys={k: dict(decay_mult=0, lars_exclude=True)
                                    for k in ('bn', 'bias', 'downsample.1', 'neck.mlp.1')}))
auto_scale_lr = dict(base_batch_size=16)
