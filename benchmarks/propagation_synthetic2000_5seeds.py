# Does the propagation loss learn? PixPro and the propagation variant of PixDepth (the loss the
# PixDepth authors' public code trains) under PixPro's official optimiser (LARS, see
# configs/pixdepth/pixdepth-propagation_r18-w16_1xb32-100e_synthetic-64x64.py), against a random
# encoder, with the quick start's protocol (2000 images, 25 epochs, bfloat16, frozen probes).
# Each must beat random init by at least 5 mIoU under both probes on every seed. Run it with
#   python tools/analysis_tools/benchmark_transfer.py benchmarks/propagation_synthetic2000_5seeds.py
_base_ = './transfer_synthetic_quickstart.py'
seeds = [0, 1, 2, 3, 4]
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
