# The paper's pretraining optimiser: SGD (momentum 0.9), maximum lr 0.1; weight decay follows
# PixPro (1e-5), none on BN and biases. sgd_cosine_*e.py add the warm-up and cosine schedule.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-5),
    paramwise_cfg=dict(custom_keys={'bn': dict(decay_mult=0), 'bias': dict(decay_mult=0)}))
# The paper fixed the maximum lr at 0.1 for its batches of 256 (ImageNet, ScanNet) and 128
# (borehole) alike: no scaling rule. `tools/train.py --auto-scale-lr` applies the linear rule
# of PixPro's recipe instead (lr x total batch / 256).
auto_scale_lr = dict(base_batch_size=256, enable=False)
