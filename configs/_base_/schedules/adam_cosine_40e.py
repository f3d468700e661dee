# CPU downstream schedule: cosine decay over 40 epochs, validation every 10.
_base_ = './adam_seg.py'
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0, end=40)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=40, val_interval=10)
