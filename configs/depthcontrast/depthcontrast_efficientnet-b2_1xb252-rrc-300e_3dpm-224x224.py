# Variant with augmented views: one RandomResizedCrop (scale 0.08-1, resized to 224x224) and
# one horizontal flip drawn per sample and applied to both modalities, instead of the paper's
# fixed-size crop; otherwise as depthcontrast_efficientnet-b2_1xb252-300e_3dpm-224x224.py.
_base_ = './depthcontrast_efficientnet-b2_1xb252-300e_3dpm-224x224.py'
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),
    dict(type='PairedRandomResizedCrop', scale=224, keys=('depth', 'img'), flip_prob=0.5),
    dict(type='ModalityViews', keys=('depth', 'img'), channels=3),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
