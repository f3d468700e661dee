# The paper's downstream schedule: cosine decay over 80 epochs, validation every epoch.
_base_ = './adam_seg.py'
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0, end=80)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=80, val_interval=1)
