# The paper's downstream recipe: Adam, lr 1e-3, cosine decay over 80 epochs.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.0))
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0, end=80)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=80, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# lr x total batch / 32 with `tools/train.py --auto-scale-lr` (the paper's batch of 32)
auto_scale_lr = dict(base_batch_size=32, enable=False)
