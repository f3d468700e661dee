# ScanNet frames with their sensor depth (the 640x480 frames of scannet_frames_25k, or frames
# exported by ScanNet's SensReader with the colour resized to the depth size):
#   data/scannet/color/<scene>/000000.jpg  (or color/*.jpg)
#   data/scannet/depth/<scene>/000000.png  16-bit, millimetres, 0 = missing
# The depth map must have the image's size (LoadDepthFromFile checks it).
dataset_type = 'RGBDFolderDataset'
data_root = 'data/scannet'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDepthFromFile', invalid_values=(0, )),
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
        img_prefix='color',
        depth_prefix='depth',
        img_suffixes=('.jpg', ),
        depth_suffix='.png',
        pipeline=train_pipeline))
