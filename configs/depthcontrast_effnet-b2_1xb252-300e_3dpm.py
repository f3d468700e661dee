# Depth Contrast pretraining of an EfficientNet-B2 (the paper's encoder, 1408 output channels)
# on the 3DPM data; otherwise as depthcontrast_r50_1xb252-300e_3dpm.py.
_base_ = './depthcontrast_r50_1xb252-300e_3dpm.py'
model = dict(
    backbone=dict(_delete_=True, type='EfficientNet', arch='b2', out_indices=(6, )),
    neck=[
        dict(type='NonLinearNeck', in_channels=1408, hid_channels=2048, out_channels=2048,
             num_layers=3, norm_cfg=dict(type='BN1d')),
        dict(type='NonLinearNeck', in_channels=2048, hid_channels=512, out_channels=128,
             num_layers=2, with_avg_pool=False, with_last_bn=False, with_last_bias=True,
             norm_cfg=dict(type='BN1d')),
    ])
