# Does the propagation loss learn? PixPro and the propagation variant of PixDepth (the loss the
# PixDepth authors' public code trains) under PixPro's official optimiser (LARS, see
# configs/pixdepth/pixdepth-propagation_r18-w16_1xb32-100e_synthetic-64x64.py), against a random
# encoder, with the protocol of transfer_synthetic2000_bf16.py (2000 images, bfloat16, frozen
# probes) except for the two settings below. Each must beat random init by at least 5 mIoU under
# both probes on every seed. Run it with
#   python tools/analysis_tools/benchmark_transfer.py benchmarks/propagation_synthetic2000_5seeds.py
_base_ = './transfer_synthetic2000_bf16.py'
seeds = [0, 1, 2, 3, 4]
# The propagation loss's CPU protocol, chosen on seed 0 by propagation_lr_synthetic2000.py:
# LARS lr 1.0 instead of the recipe's 1.0 x 32 / 256 = 0.125 (set for about 125,000 iterations)
# and 100 epochs (6200 iterations) instead of the pixel contrast's 25. Merged into the 25-epoch
# options of the base (warm-up, checkpoint interval).
pretrain_options = {'optim_wrapper.optimizer.lr': 1.0, 'train_cfg.max_epochs': 100,
                    'param_scheduler.1.T_max': 99.5, 'param_scheduler.1.end': 100}
methods = [
    dict(name='PixDepth propagation',
         pretrain='configs/pixdepth/pixdepth-propagation_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='PixPro', pretrain='configs/pixpro/pixpro_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='random init'),
]
compare = [('PixPro', 'random init'), ('PixDepth propagation', 'random init'),
           ('PixDepth propagation', 'PixPro')]
learnability = None
similarity = None
