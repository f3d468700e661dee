# Depth Contrast pretraining of an EfficientNet-B2 (the paper's encoder, 1408 output channels,
# started from mmpretrain's ImageNet-1k weights) on the 3DPM data; otherwise as
# depthcontrast_resnet50_1xb252-300e_3dpm-224x224.py.
# Offline or from scratch: --cfg-options model.backbone.init_cfg=None
_base_ = './depthcontrast_resnet50_1xb252-300e_3dpm-224x224.py'
model = dict(
    backbone=dict(
        _delete_=True, type='EfficientNet', arch='b2', out_indices=(6, ),
        init_cfg=dict(
            type='PretrainedBackbone',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/efficientnet/'
            'efficientnet-b2_3rdparty_8xb32_in1k_20220119-ea374a30.pth')),
    neck=[
        dict(type='NonLinearNeck', in_channels=1408, hid_channels=2048, out_channels=2048,
             num_layers=3, norm_cfg=dict(type='BN1d')),
        dict(type='NonLinearNeck', in_channels=2048, hid_channels=512, out_channels=128,
             num_layers=2, with_avg_pool=False, with_last_bn=False, with_last_bias=True,
             norm_cfg=dict(type='BN1d')),
    ])
