# Depth Contrast on the built-in synthetic 3DPM-like data with augmented views, sized for a CPU:
# ResNet-18 from random weights, a narrow projection MLP, paired random resized crops (area
# 0.3-1, resized to 56x56) with flips of the 64x64 samples, Adam lr 1e-3, 20 epochs of the
# 84-sample train split. Make the data with `python tools/generate_synthetic_3dpm.py`. Used by
# the tests (with fewer epochs) and the README example.
_base_ = [
    '../_base_/models/depthcontrast_resnet50.py',
    '../_base_/datasets/3dpm_depthcontrast-pairs.py',
    '../_base_/schedules/adam_300e_depthcontrast.py',
    '../_base_/pretrain_runtime.py',
]
model = dict(
    backbone=dict(depth=18),
    neck=[
        dict(type='NonLinearNeck', in_channels=512, hid_channels=256, out_channels=256,
             num_layers=3, norm_cfg=dict(type='BN1d')),
        dict(type='NonLinearNeck', in_channels=256, hid_channels=128, out_channels=64,
             num_layers=2, with_avg_pool=False, with_last_bn=False, with_last_bias=True,
             norm_cfg=dict(type='BN1d')),
    ])
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='LoadDepthFromFile', invalid_values=(0, ), normalize='minmax'),
    dict(type='DepthToImage', fill='zero'),
    dict(type='PairedRandomResizedCrop', scale=56, keys=('depth', 'img'), flip_prob=0.5,
         crop_ratio_range=(0.3, 1.0)),
    dict(type='ModalityViews', keys=('depth', 'img'), channels=3),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(data_root='data/synthetic_3dpm', pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=20)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=5))
