# ScanNet frames with their sensor depth, in the layout of scannet_frames_25k (the labels are
# not used; see configs/_base_/datasets/scannet_frames_seg.py and ScanNetFramesDataset):
#   data/scannet/SCENE/color/NNNNNN.jpg   RGB, 640x480
#   data/scannet/SCENE/depth/NNNNNN.png   16-bit, millimetres, 0 = missing, the colour's size
#   data/scannet/scannetv2_train.txt      one scene name per line
dataset_type = 'ScanNetFramesDataset'
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
        scenes='scannetv2_train.txt',
        data_prefix=dict(img_path='color'),  # no seg_map_path: unlabelled
        depth_prefix='depth',
        pipeline=train_pipeline))
