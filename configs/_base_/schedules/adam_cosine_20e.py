# CPU downstream schedule: cosine decay over 20 epochs, validation every 5.
_base_ = './adam_seg.py'
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0, end=20)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=5)
