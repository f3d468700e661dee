# Input ablation: the ImageNet-initialised EfficientNet-B2 fine-tuned on reflectance alone (the
# reflectance image in all 3 channels); otherwise as efficientnet-b2_1xb16-100e_3dpm.py.
_base_ = './efficientnet-b2_1xb16-100e_3dpm.py'
load_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),
    dict(type='MergeModalities', keys=('img', 'img', 'img')),
]
train_pipeline = load_pipeline + [dict(type='RandomCrop', crop_size=224), dict(type='PackInputs')]
test_pipeline = load_pipeline + [dict(type='Resize', scale=(896, 896)), dict(type='PackInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
