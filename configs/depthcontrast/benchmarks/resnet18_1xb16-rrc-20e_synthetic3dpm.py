# Material classification on the built-in synthetic 3DPM-like data with augmented inputs, sized
# for a CPU: fine-tuning the ResNet-18 encoder of
# ../depthcontrast_resnet18_1xb16-rrc-20e_synthetic3dpm-56x56.py (set
# model.backbone.init_cfg.checkpoint; init_cfg=None trains from scratch), random resized crops
# to 56x56 with flips, whole sample resized to 56x56 for testing, Adam lr 1e-3, 20 epochs, model
# selection on validation weighted F1.
_base_ = './resnet50_1xb16-100e_3dpm.py'
model = dict(
    backbone=dict(depth=18, init_cfg=dict(type='PretrainedBackbone', checkpoint=None)),
    head=dict(in_channels=512))
data_root = 'data/synthetic_3dpm'
load_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),
    dict(type='MergeModalities', keys=('depth', 'img', 'depth')),
]
train_pipeline = load_pipeline + [
    dict(type='RandomResizedCrop', scale=56, crop_ratio_range=(0.3, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = load_pipeline + [dict(type='Resize', scale=(56, 56)), dict(type='PackInputs')]
train_dataloader = dict(
    num_workers=2, dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(num_workers=2, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(num_workers=2, dataset=dict(data_root=data_root, pipeline=test_pipeline))
optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=0.0))
train_cfg = dict(max_epochs=20)
default_hooks = dict(logger=dict(interval=5))
