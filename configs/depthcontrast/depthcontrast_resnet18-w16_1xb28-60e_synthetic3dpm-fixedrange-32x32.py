# Variant of depthcontrast_resnet18-w16_1xb28-60e_synthetic3dpm-32x32.py with fixed-range depth
# scaling: depth 1475-1500 mm (25 mm above the belt to the belt) maps to [0, 1] for every sample,
# clipped, so a view keeps the absolute particle height that per-image min-max scaling removes.
_base_ = './depthcontrast_resnet18-w16_1xb28-60e_synthetic3dpm-32x32.py'
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    # raw values in 0.1 mm (scale 0.1: mm)
    dict(type='LoadDepthFromFile', invalid_values=(0, ), scale=0.1, normalize='range',
         norm_range=(1475, 1500)),
    dict(type='DepthToImage', fill='zero'),
    dict(type='TransformBroadcaster', mapping=dict(img=['depth', 'img']), auto_remap=True,
         share_random_params=True, transforms=[dict(type='mmpretrain.RandomCrop', crop_size=32)]),
    dict(type='ModalityViews', keys=('depth', 'img'), channels=3),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
