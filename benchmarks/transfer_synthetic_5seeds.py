# Evidence benchmark on the built-in synthetic RGB-D data: the quick start's protocol with 5 seeds
# and every variant: PixDepth (three zipped threshold pairs), PixDepth with one pair (T = 0.5,
# T' = 0.3, the paper's best single setting), PixDepth with T fixed at 0.5 and T' in
# {0.3, 0.5, 0.7} (the paper's Table 5 best), the propagation variant of PixDepth, PixContrast,
# PixContrast 1-thr and PixPro (the depth-free twins of PixDepth, of PixDepth 1-thr and of the
# propagation variant), a random encoder and the supervised reference. Each seed sets
# `randomness.seed` of every pretraining, training and probe. Run it with
#   python tools/analysis_tools/benchmark_transfer.py benchmarks/transfer_synthetic_5seeds.py
_base_ = './transfer_synthetic_quickstart.py'
seeds = [0, 1, 2, 3, 4]
_pixdepth = 'configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'
methods = [
    dict(name='PixDepth', pretrain=_pixdepth),
    dict(name='PixDepth 1-thr', pretrain=_pixdepth,
         pretrain_options={'model.dist_thr': 0.5, 'model.depth_thr': 0.3}),
    dict(name="PixDepth multi-T'", pretrain=_pixdepth,
         pretrain_options={'model.dist_thr': 0.5}),
    dict(name='PixContrast',
         pretrain='configs/pixcontrast/pixcontrast_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='PixContrast 1-thr',
         pretrain='configs/pixcontrast/pixcontrast_r18-w16_1xb32-100e_synthetic-64x64.py',
         pretrain_options={'model.dist_thr': 0.5}),
    dict(name='PixDepth propagation',
         pretrain='configs/pixdepth/pixdepth-propagation_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='PixPro', pretrain='configs/pixpro/pixpro_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='random init'),
    dict(name='supervised',
         finetune_config='configs/deeplabv3/deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py'),
]
compare = [('PixDepth', 'PixContrast'), ('PixDepth 1-thr', 'PixContrast 1-thr'),
           ("PixDepth multi-T'", 'PixContrast'), ('PixDepth propagation', 'PixPro')]
