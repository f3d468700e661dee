# Evidence benchmark on the built-in synthetic RGB-D data (500 training images), sized for 2 CPU
# cores: pretrain each method on a narrow ResNet-18, train the same encoder end to end on the
# labels (the supervised reference), then probe the FROZEN encoder of each and of a random-init
# encoder with heads trained on features computed once per image (a linear classifier per cell
# and a narrow DeepLabV3 ASPP head); report mIoU and per-class IoU on the val split. 5 seeds
# and every variant: PixDepth (three zipped threshold pairs), PixDepth with one pair (T = 0.5,
# T' = 0.3, the paper's best single setting), PixDepth with T fixed at 0.5 and T' in
# {0.3, 0.5, 0.7} (the paper's Table 5 best), the propagation variant of PixDepth, PixContrast,
# PixContrast 1-thr and PixPro (the depth-free twins of PixDepth, of PixDepth 1-thr and of the
# propagation variant), a random encoder and the supervised reference. Each seed sets
# `randomness.seed` of every pretraining, training and probe. Run it with
#   python tools/analysis_tools/benchmark_transfer.py benchmarks/transfer_synthetic_5seeds.py
data_root = 'data/synthetic_rgbd'
seeds = [0, 1, 2, 3, 4]
probe = dict(
    config='configs/deeplabv3/deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py',
    heads=['linear', 'aspp'],
    epochs=dict(linear=30, aspp=20),
    lr=dict(linear=1e-2, aspp=1e-3),
    aspp_channels=64)
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
learnability = dict(method='supervised', metric='end-to-end mIoU', min=50)
# similarity maps of every encoder (first seed) on the first val images, at an object point
similarity = dict(split='val', num_images=3)
