# Material classification on the built-in synthetic 3DPM-like data with the paper's views, sized
# for a CPU: fine-tuning the narrow ResNet-18 of
# ../depthcontrast_resnet18-w16_1xb28-60e_synthetic3dpm-32x32.py (set
# model.backbone.init_cfg.checkpoint; init_cfg=None trains from scratch), training on one random
# 32x32 crop per sample (no resize, no flip), validation and test on the whole 64x64 sample,
# Adam lr 1e-3, 30 epochs, model selection on validation weighted F1.
_base_ = './resnet50_1xb16-100e_3dpm.py'
model = dict(
    backbone=dict(depth=18, base_channels=16, stem_channels=16,
                  init_cfg=dict(type='PretrainedBackbone', checkpoint=None)),
    head=dict(in_channels=128))
data_root = 'data/synthetic_3dpm'
load_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),
    dict(type='MergeModalities', keys=('depth', 'img', 'depth')),
]
train_pipeline = load_pipeline + [dict(type='RandomCrop', crop_size=32), dict(type='PackInputs')]
test_pipeline = load_pipeline + [dict(type='Resize', scale=(64, 64)), dict(type='PackInputs')]
train_dataloader = dict(
    num_workers=2, dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(num_workers=2, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(num_workers=2, dataset=dict(data_root=data_root, pipeline=test_pipeline))
optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=0.0))
train_cfg = dict(max_epochs=30)
default_hooks = dict(logger=dict(interval=10))
