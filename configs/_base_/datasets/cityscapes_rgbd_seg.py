# Cityscapes semantic segmentation (19 classes) with the stereo disparity maps.
# Layout (see the CityscapesRGBDDataset docstring):
#   data/cityscapes/leftImg8bit/{train,val}/CITY/*_leftImg8bit.png
#   data/cityscapes/gtFine/{train,val}/CITY/*_gtFine_labelTrainIds.png
#   data/cityscapes/disparity/{train,val}/CITY/*_disparity.png   16-bit, 0 = invalid
# Download leftImg8bit_trainvaltest.zip, gtFine_trainvaltest.zip and disparity_trainvaltest.zip
# from https://www.cityscapes-dataset.com (registration needed), unzip them into
# data/cityscapes, and make the *_labelTrainIds.png files (with mmsegmentation's converter) and
# check the disparity maps with
#   python tools/dataset_converters/cityscapes.py data/cityscapes
dataset_type = 'CityscapesRGBDDataset'
data_root = 'data/cityscapes'
crop_size = (512, 1024)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(2048, 1024), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
    dict(type='LoadAnnotations'),  # after Resize: the metric compares at the label's size
    # disparity for the metric's edge_mIoU (pixels near depth discontinuities), at the label's
    # size (the image's before Resize, hence no size check against the resized image)
    dict(type='LoadDepthFromFile', invalid_values=(0, ), out_key='gt_depth_map',
         check_size=False),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        depth_prefix='disparity/train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        depth_prefix='disparity/val',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='PerClassIoUMetric', iou_metrics=['mIoU']),  # mmseg's + IoU.<class>, fg_mIoU
    # Boundary IoU over bands of 2 % of the image diagonal, and the mIoU near depth edges
    dict(type='BoundaryIoUMetric', width_ratio=0.02, depth_jump=0.05),
]
test_evaluator = val_evaluator
