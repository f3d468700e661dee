# Semantic segmentation on the built-in synthetic RGB-D set (128x128, background + 5 classes),
# made by `python tools/generate_synthetic_data.py --out data/synthetic_rgbd`.
dataset_type = 'SyntheticRGBDSegDataset'
data_root = 'data/synthetic_rgbd'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # depth for the metric's edge_mIoU (pixels near depth discontinuities), at the label's size
    dict(type='LoadDepthFromFile', invalid_values=(0, ), out_key='gt_depth_map'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='images/train', seg_map_path='annotations/train'),
        depth_prefix='depth/train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='images/val', seg_map_path='annotations/val'),
        depth_prefix='depth/val',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='PerClassIoUMetric', iou_metrics=['mIoU']),  # mmseg's + IoU.<class>, fg_mIoU
    # Boundary IoU over bands of 2 % of the image diagonal, and the mIoU near depth edges
    dict(type='BoundaryIoUMetric', width_ratio=0.02, depth_jump=0.05),
]
test_evaluator = val_evaluator
