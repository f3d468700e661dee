# Variant with augmented inputs: RandomResizedCrop (area 0.25-1, resized to 224x224) and a
# horizontal flip for training, the whole sample resized to 224x224 for validation and test;
# otherwise as efficientnet-b2_1xb16-100e_3dpm.py.
_base_ = './efficientnet-b2_1xb16-100e_3dpm.py'
load_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),
    dict(type='MergeModalities', keys=('depth', 'img', 'depth')),
]
train_pipeline = load_pipeline + [
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.25, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = load_pipeline + [dict(type='Resize', scale=(224, 224)), dict(type='PackInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
