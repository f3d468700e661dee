# The paper's pretraining schedule: linear warm-up over 20 epochs, then cosine decay; 500 epochs.
_base_ = './sgd_pretrain.py'
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=20,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=480, eta_min=0., by_epoch=True, begin=20, end=500,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=500)
