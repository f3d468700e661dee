# ImageNet training images with depth predicted by a monocular estimator (e.g. MiDaS) in a
# parallel tree of the same relative paths:
#   data/imagenet/train/n01440764/n01440764_10026.JPEG
#   data/imagenet/train_depth/n01440764/n01440764_10026.png   (16-bit PNG, same size as the image)
# MiDaS predicts relative inverse depth; LoadDepthFromFile normalises each map to [0, 1], so it is
# used as is. A MiDaS PNG maps the smallest prediction to 0, which is a valid value: no invalid
# values here (use invalid_values=(0, ) for sensor depth where 0 means missing).
dataset_type = 'RGBDFolderDataset'
data_root = 'data/imagenet'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDepthFromFile', invalid_values=()),
    dict(type='PixProViews', crop_size=224, feat_stride=32),  # 7x7 cells, BYOL colour views
    dict(type='PackInputs', algorithm_keys=['coord', 'depth_cells']),
]
train_dataloader = dict(
    batch_size=32,  # per GPU
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        img_prefix='train',
        depth_prefix='train_depth',
        depth_suffix='.png',
        pipeline=train_pipeline))
