# Depth Contrast with the paper's views on the built-in synthetic 3DPM-like data, sized for a CPU:
# a narrow ResNet-18 (16 base channels, 128 output channels) from random weights (no ImageNet
# checkpoint exists for it), a narrow projection MLP, one random 32x32 crop at the same position
# in both modalities of each 64x64 sample (no resize, no flip), Adam lr 1e-3, 60 epochs of batch
# 28 (3 iterations on the 84 training samples of a fold).
# Make the data with `python tools/generate_synthetic_3dpm.py`; used by the k-fold benchmark
# benchmarks/depthcontrast_synthetic3dpm_kfold.py.
_base_ = [
    '../_base_/models/depthcontrast_resnet50.py',
    '../_base_/datasets/3dpm_depthcontrast-pairs.py',
    '../_base_/schedules/adam_300e_depthcontrast.py',
    '../_base_/pretrain_runtime.py',
]
model = dict(
    backbone=dict(depth=18, base_channels=16, stem_channels=16),
    neck=[
        dict(type='NonLinearNeck', in_channels=128, hid_channels=256, out_channels=256,
             num_layers=3, norm_cfg=dict(type='BN1d')),
        dict(type='NonLinearNeck', in_channels=256, hid_channels=128, out_channels=64,
             num_layers=2, with_avg_pool=False, with_last_bn=False, with_last_bias=True,
             norm_cfg=dict(type='BN1d')),
    ])
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),
    dict(type='TransformBroadcaster', mapping=dict(img=['depth', 'img']), auto_remap=True,
         share_random_params=True, transforms=[dict(type='mmpretrain.RandomCrop', crop_size=32)]),
    dict(type='ModalityViews', keys=('depth', 'img'), channels=3),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=28,
    num_workers=2,
    dataset=dict(data_root='data/synthetic_3dpm', pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=60)
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=20))
