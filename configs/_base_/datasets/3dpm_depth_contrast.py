# Depth Contrast pretraining pairs of the 3DPM data (train split, labels unused): the depth map
# and the reflectance image of each sample, cropped alike to 224x224, each tiled to 3 channels.
# Layout (ThreeDPMDataset): data/3dpm/reflectance/<class>/<id>.png (single channel),
# data/3dpm/depth/<class>/<id>.png (raw depth, 0 = missing), data/3dpm/splits/train.txt.
# Each item: inputs = [depth view, reflectance view], each [3, 224, 224] float32 in [0, 255].
dataset_type = 'ThreeDPMDataset'
data_root = 'data/3dpm'
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),  # reflectance (H, W)
    # depth: 0 = missing -> NaN; the valid pixels of each map min-max normalised to [0, 1]
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),  # NaN -> 0, then x 255 (float32, no quantisation)
    dict(type='PairedRandomResizedCrop', scale=224, keys=('depth', 'img'), flip_prob=0.5),
    dict(type='ModalityViews', keys=('depth', 'img'), channels=3),  # channels=1: in_channels=1
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=252,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='splits/train.txt',
        depth_suffix='.png',
        pipeline=train_pipeline))
