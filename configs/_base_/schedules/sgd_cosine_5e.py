# Tiny CPU pretraining: linear warm-up over 1 epoch, then cosine decay; 5 epochs.
_base_ = './sgd_pretrain.py'
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=4, eta_min=0., by_epoch=True, begin=1, end=5,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=5)
