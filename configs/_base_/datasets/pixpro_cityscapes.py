# Cityscapes images with their stereo disparity maps, for pretraining (labels unused; see
# configs/_base_/datasets/cityscapes_rgbd_seg.py and CityscapesRGBDDataset):
#   data/cityscapes/leftImg8bit/train/CITY/*_leftImg8bit.png   RGB, 2048x1024
#   data/cityscapes/disparity/train/CITY/*_disparity.png       16-bit, 0 = invalid,
#                                                               else (p - 1) / 256 px
# Disparity is inverse depth; LoadDepthFromFile normalises each map to [0, 1], so it is used as
# it is (the offset of 1 vanishes in the normalisation).
dataset_type = 'CityscapesRGBDDataset'
data_root = 'data/cityscapes'
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
        data_prefix=dict(img_path='leftImg8bit/train'),  # no seg_map_path: unlabelled
        depth_prefix='disparity/train',
        pipeline=train_pipeline))
