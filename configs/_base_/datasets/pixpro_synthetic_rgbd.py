# PixPro/PixDepth views of the built-in synthetic RGB-D set (train split, 96x96 views, 6x6
# cells for a backbone of output stride 16), made by
# `python tools/generate_synthetic_data.py --out data/synthetic_rgbd`.
# Each item: inputs = 2 views [3, 96, 96] (BGR uint8); data_samples with coord [2, 4] and
# depth_cells [2, 6, 6] (mean valid depth per cell, NaN where none).
dataset_type = 'RGBDFolderDataset'
data_root = 'data/synthetic_rgbd'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDepthFromFile', invalid_values=(0, )),  # uint16 mm, 0 = missing
    dict(type='PixProViews', crop_size=96, feat_stride=16),  # BYOL colour views by default
    dict(type='PackInputs', algorithm_keys=['coord', 'depth_cells']),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        img_prefix='images/train',
        depth_prefix='depth/train',
        depth_suffix='.png',
        pipeline=train_pipeline))
