# ScanNet frames, semantic segmentation on the 20 benchmark classes, with the sensor depth.
# Layout of scannet_frames_25k (see the ScanNetFramesDataset docstring):
#   data/scannet/SCENE/color/NNNNNN.jpg   RGB, 640x480
#   data/scannet/SCENE/depth/NNNNNN.png   16-bit, millimetres, 0 = missing
#   data/scannet/SCENE/label/NNNNNN.png   NYU40 ids, mapped to the 20 classes (others ignored)
#   data/scannet/scannetv2_{train,val}.txt   one scene name per line
# Get scannet_frames_25k.zip with ScanNet's download script (after accepting the ScanNet terms
# of use: http://www.scan-net.org) and its --preprocessed_frames option, unzip it into
# data/scannet, and copy scannetv2_train.txt and scannetv2_val.txt from the Tasks/Benchmark
# folder of https://github.com/ScanNet/ScanNet next to the scenes (tools/dataset_converters/
# scannet.py frames25k checks the frames and writes the lists; its sens mode makes the same
# layout from the .sens files and the 2D label archives).
dataset_type = 'ScanNetFramesDataset'
data_root = 'data/scannet'
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
        scenes='scannetv2_train.txt',
        data_prefix=dict(img_path='color', seg_map_path='label'),
        depth_prefix='depth',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        scenes='scannetv2_val.txt',
        data_prefix=dict(img_path='color', seg_map_path='label'),
        depth_prefix='depth',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='PerClassIoUMetric', iou_metrics=['mIoU']),  # mmseg's + IoU.<class>, fg_mIoU
    # Boundary IoU over bands of 2 % of the image diagonal, and the mIoU near depth edges
    dict(type='BoundaryIoUMetric', width_ratio=0.02, depth_jump=0.05),
]
test_evaluator = val_evaluator
