# PixPro/PixDepth views of the built-in synthetic RGB-D set (train split, 64x64 views, 8x8
# cells for a backbone of output stride 8), made by
# `python tools/generate_synthetic_data.py --out data/synthetic_rgbd`.
_base_ = './pixpro_synthetic_rgbd.py'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDepthFromFile', invalid_values=(0, )),  # uint16 mm, 0 = missing
    dict(type='PixProViews', crop_size=64, feat_stride=8),  # BYOL colour views by default
    dict(type='PackInputs', algorithm_keys=['coord', 'depth_cells']),
]
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
