# Depth Contrast pretraining pairs of the 3DPM data (train split, labels unused), the paper's
# views: ONE random 224x224 crop at the same position in the depth map and in the reflectance
# image, no resize, no flip (mmpretrain's RandomCrop, its random position shared by both maps
# through mmcv's TransformBroadcaster); each view tiled to 3 channels.
# Layout (ThreeDPMDataset): data/3dpm/reflectance/<class>/<id>.png (single channel),
# data/3dpm/depth/<class>/<id>.png (raw depth, 0 = missing), data/3dpm/splits/train.txt.
# Each item: inputs = [depth view, reflectance view], each [3, 224, 224] float32 in [0, 255].
dataset_type = 'ThreeDPMDataset'
data_root = 'data/3dpm'
load_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),  # reflectance (H, W)
    # depth: 0 = missing -> NaN; the valid pixels of each map min-max normalised to [0, 1]
    # (fixed range instead, keeping absolute height: normalize='range', norm_range=(low, high))
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),  # NaN -> 0, then x 255 (float32, no quantisation)
]
train_pipeline = load_pipeline + [
    dict(type='TransformBroadcaster', mapping=dict(img=['depth', 'img']), auto_remap=True,
         share_random_params=True, transforms=[dict(type='mmpretrain.RandomCrop', crop_size=224)]),
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
