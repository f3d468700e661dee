# Variant of resnet18-w16_1xb16-30e_synthetic3dpm.py with the fixed-range depth scaling of
# ../depthcontrast_resnet18-w16_1xb28-60e_synthetic3dpm-fixedrange-32x32.py (1475-1500 mm -> 0-1).
_base_ = './resnet18-w16_1xb16-30e_synthetic3dpm.py'
load_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='LoadDepthFromFile', invalid_values=(0, ), scale=0.1, normalize='range',
         norm_range=(1475, 1500)),
    dict(type='DepthToImage', fill='zero'),
    dict(type='MergeModalities', keys=('depth', 'img', 'depth')),
]
train_pipeline = load_pipeline + [dict(type='RandomCrop', crop_size=32), dict(type='PackInputs')]
test_pipeline = load_pipeline + [dict(type='Resize', scale=(64, 64)), dict(type='PackInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
