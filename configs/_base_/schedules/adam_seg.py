# The paper's downstream optimiser: Adam, lr 1e-3, no weight decay; adam_cosine_*e.py add the
# cosine schedule and the loops.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.0))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# lr x total batch / 32 with `tools/train.py --auto-scale-lr` (the paper's batch of 32)
auto_scale_lr = dict(base_batch_size=32, enable=False)
