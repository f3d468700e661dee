# Unwrapped ultrasonic borehole images: one-channel amplitude images with a transit-time map of
# the same size as the depth proxy, in the layout of BoreholeDataset (breakout masks unused):
#   data/borehole/amplitude/train/NAME.png      8- or 16-bit grey PNG
#   data/borehole/transit_time/train/NAME.tif   float32 TIFF, 0 = missing
# To pretrain on further unlabelled images, put them in e.g. amplitude/unlabelled and
# transit_time/unlabelled and point data_prefix / depth_prefix there.
# LoadImageFromFile with color_type='color' decodes a grey PNG as 3 equal channels (8 bits), the
# input of an ordinary 3-channel backbone. Colour jitter keeps brightness and contrast only:
# saturation, hue and grayscale do nothing to a grey image.
dataset_type = 'BoreholeDataset'
data_root = 'data/borehole'

view_pipeline1 = [
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4)],
         prob=0.8),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.0),
]
view_pipeline2 = [
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4)],
         prob=0.8),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
]
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color'),
    dict(type='LoadDepthFromFile', invalid_values=(0, )),
    dict(type='PixProViews', crop_size=224, feat_stride=32,
         view_pipelines=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs', algorithm_keys=['coord', 'depth_cells']),
]
train_dataloader = dict(
    batch_size=64,  # per GPU
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='amplitude/train'),  # no seg_map_path: unlabelled
        depth_prefix='transit_time/train',
        depth_suffix='.tif',
        pipeline=train_pipeline))
