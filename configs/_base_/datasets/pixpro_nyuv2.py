# NYU Depth v2 training images (795) with their depth, for pretraining (labels unused; see
# configs/_base_/datasets/nyuv2_seg.py and NYUv2SegDataset), as written by
# tools/dataset_converters/nyuv2.py:
#   data/nyuv2/images/train/NNNN.png   RGB, 640x480
#   data/nyuv2/depth/train/NNNN.png    16-bit, millimetres, 0 = missing
dataset_type = 'NYUv2SegDataset'
data_root = 'data/nyuv2'
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
        data_prefix=dict(img_path='images/train'),  # no seg_map_path: unlabelled
        depth_prefix='depth/train',
        pipeline=train_pipeline))
