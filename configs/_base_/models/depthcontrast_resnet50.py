# Depth Contrast on a ResNet-50: one shared encoder, the projection MLP of the paper's code
# (3 x [2048, BN] then [512, BN, ReLU] -> 128, L2-normalised in the model), temperature 0.1.
# Both views are single-channel maps in [0, 255] tiled to 3 channels, normalised with the
# ImageNet statistics of mmpretrain's in1k models (the ImageNet checkpoints the paper configs
# start from were trained with them).
model = dict(
    type='DepthContrast',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor', mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], to_rgb=False),
    backbone=dict(type='ResNet', depth=50, out_indices=(3, ), norm_cfg=dict(type='BN')),
    neck=[
        dict(type='NonLinearNeck', in_channels=2048, hid_channels=2048, out_channels=2048,
             num_layers=3, norm_cfg=dict(type='BN1d')),
        dict(type='NonLinearNeck', in_channels=2048, hid_channels=512, out_channels=128,
             num_layers=2, with_avg_pool=False, with_last_bn=False, with_last_bias=True,
             norm_cfg=dict(type='BN1d')),
    ],
    temperature=0.1,
    symmetric=False)
