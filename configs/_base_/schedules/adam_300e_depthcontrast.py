# Depth Contrast pretraining recipe of the paper's code: Adam, lr 5e-5, no weight decay,
# 300 epochs. Its plateau scheduler has a min_lr above the lr, so the lr stays constant.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-5, weight_decay=0.0))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300)
# lr x total batch / 252 with `tools/train.py --auto-scale-lr` (the batch of 252 of the Depth Contrast paper's code)
auto_scale_lr = dict(base_batch_size=252, enable=False)
