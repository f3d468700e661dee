# Breakout segmentation on unwrapped ultrasonic borehole images (classes: background, breakout).
# Layout (the same file names in the three folders; see the BoreholeDataset docstring):
#   data/borehole/amplitude/{train,val}/NAME.png     8- or 16-bit grey PNG
#   data/borehole/transit_time/{train,val}/NAME.tif  float32 TIFF (or 16-bit PNG: set
#                                                    depth_suffix='.png'), 0 = missing
#   data/borehole/breakout/{train,val}/NAME.png      0 background, 1 breakout, 255 ignored
# tools/dataset_converters/borehole.py makes this layout from DLIS image logs (e.g. from the UK
# NDR) and a CSV of breakout picks; wells without picks go to amplitude/unlabelled etc.
# The grey image is loaded as 3 equal channels for an ordinary 3-channel backbone. No rescaling:
# a pixel has a fixed size along the hole and around it; crops and flips (vertical: up/down the
# hole, horizontal: the sense of rotation) keep that.
dataset_type = 'BoreholeDataset'
data_root = 'data/borehole'
crop_size = (256, 256)
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color'),
    dict(type='LoadAnnotations'),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', color_type='color'),
    dict(type='LoadAnnotations'),
    # depth for the metric's edge_mIoU (pixels near depth discontinuities), at the label's size
    dict(type='LoadDepthFromFile', invalid_values=(0, ), out_key='gt_depth_map'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='amplitude/train', seg_map_path='breakout/train'),
        depth_prefix='transit_time/train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='amplitude/val', seg_map_path='breakout/val'),
        depth_prefix='transit_time/val',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='PerClassIoUMetric', iou_metrics=['mIoU']),  # mmseg's + IoU.<class>, fg_mIoU
    # Boundary IoU over bands of 2 % of the image diagonal, and the mIoU near depth edges
    dict(type='BoundaryIoUMetric', width_ratio=0.02, depth_jump=0.05),
]
test_evaluator = val_evaluator
