# Classification recipe of the Depth Contrast paper's code (fine-tuning and linear evaluation):
# Adam, lr 1e-5, weight decay 5e-3, 100 epochs, validation every epoch.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-5, weight_decay=5e-3))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# lr x total batch / 16 with `tools/train.py --auto-scale-lr` (the batch of 16 of the Depth Contrast paper's code)
auto_scale_lr = dict(base_batch_size=16, enable=False)
