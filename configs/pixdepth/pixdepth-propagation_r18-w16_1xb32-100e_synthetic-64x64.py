# PixDepth, propagation variant (what the authors' public code trains): PixPro's pixel
# propagation module and consistency loss on the positives, which the depth test can only
# remove; otherwise as pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py, except the optimiser.
_base_ = './pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'
model = dict(
    head=dict(
        _delete_=True,
        type='PixelPropagationHead',
        ppm=dict(type='PixelPropagation', channels=192, gamma=2.0, num_layers=1)))
# PixPro's official optimiser: LARS (trust coefficient 0.001, momentum 0.9), lr 1.0 x batch / 256
# (0.125 for this batch of 32), weight decay 1e-5, BN layers and biases without weight decay or
# LARS adaptation. The consistency loss has no negatives: under the SGD of the pixel contrast
# configs (lr 0.1) its projections collapse to one direction within the warm-up.
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='LARS', lr=0.125, momentum=0.9, weight_decay=1e-5,
                   eta=0.001),
    paramwise_cfg=dict(custom_keys={k: dict(decay_mult=0, lars_exclude=True)
                                    for k in ('bn', 'bias', 'downsample.1', 'neck.mlp.1')}))
auto_scale_lr = dict(base_batch_size=32)  # the batch the lr above is set for
