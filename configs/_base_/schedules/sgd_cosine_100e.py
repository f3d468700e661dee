# CPU pretraining: linear warm-up over 2 epochs, then cosine decay; 100 epochs.
_base_ = './sgd_pretrain.py'
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0, end=2,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=98, eta_min=0., by_epoch=True, begin=2, end=100,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
