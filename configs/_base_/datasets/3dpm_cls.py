# Material classification on the 3DPM data: the input merges (depth, reflectance, depth) into the
# 3 channels of one image, as in the Depth Contrast paper; splits/{train,val,test}.txt.
# The paper's views: training on one random 224x224 crop (no resize, no flip), validation and
# test on the whole sample resized to 896x896 (change the Resize of test_pipeline for another
# size). Metrics: top-1 accuracy, weighted F1 (model selection, see cls_runtime.py), per-class F1.
dataset_type = 'ThreeDPMDataset'
data_root = 'data/3dpm'
load_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),  # reflectance (H, W)
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),
    dict(type='MergeModalities', keys=('depth', 'img', 'depth')),  # float32 (H, W, 3)
]
train_pipeline = load_pipeline + [dict(type='RandomCrop', crop_size=224), dict(type='PackInputs')]
test_pipeline = load_pipeline + [
    dict(type='Resize', scale=(896, 896)),  # the whole sample
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    # label_fraction=0.2: a class-stratified 20 % of the training labels
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='splits/train.txt',
                 depth_suffix='.png', label_fraction=None, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='splits/val.txt',
                 depth_suffix='.png', pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='splits/test.txt',
                 depth_suffix='.png', pipeline=test_pipeline))
val_evaluator = [dict(type='Accuracy', topk=(1, )), dict(type='WeightedF1Metric')]
test_evaluator = val_evaluator
