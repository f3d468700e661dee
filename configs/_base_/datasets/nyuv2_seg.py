# NYU Depth v2 40-class semantic segmentation (795 train / 654 test images, 640x480) with depth.
# Layout (the same file names in the three folders; see the NYUv2SegDataset docstring):
#   data/nyuv2/images/{train,test}/NNNN.png     RGB
#   data/nyuv2/depth/{train,test}/NNNN.png      16-bit, millimetres, 0 = missing
#   data/nyuv2/labels40/{train,test}/NNNN.png   0 unlabelled, 1..40 the NYU40 classes
# Made from nyu_depth_v2_labeled.mat (depth in metres -> uint16 mm), the 894 -> 40 class mapping
# (classMapping40.mat) and the official splits.mat by
#   python tools/dataset_converters/nyuv2.py nyu_depth_v2_labeled.mat classMapping40.mat \
#       splits.mat data/nyuv2
dataset_type = 'NYUv2SegDataset'
data_root = 'data/nyuv2'
crop_size = (480, 480)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(640, 480), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
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
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='images/train', seg_map_path='labels40/train'),
        depth_prefix='depth/train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='images/test', seg_map_path='labels40/test'),
        depth_prefix='depth/test',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='PerClassIoUMetric', iou_metrics=['mIoU']),  # mmseg's + IoU.<class>, fg_mIoU
    # Boundary IoU over bands of 2 % of the image diagonal, and the mIoU near depth edges
    dict(type='BoundaryIoUMetric', width_ratio=0.02, depth_jump=0.05),
]
test_evaluator = val_evaluator
