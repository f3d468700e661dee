# The paper's pretraining recipe: SGD (momentum 0.9), maximum lr 0.1, linear warmup over 20
# epochs, then cosine decay; 500 epochs. Weight decay follows PixPro (1e-5).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-5),
    paramwise_cfg=dict(custom_keys={'bn': dict(decay_mult=0), 'bias': dict(decay_mult=0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=20,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=480, eta_min=0., by_epoch=True, begin=20, end=500,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=500)
# The paper fixed the maximum lr at 0.1 for its batches of 256 (ImageNet, ScanNet) and 128
# (borehole) alike: no scaling rule. `tools/train.py --auto-scale-lr` applies the linear rule
# of PixPro's recipe instead (lr x total batch / 256).
auto_scale_lr = dict(base_batch_size=256, enable=False)
