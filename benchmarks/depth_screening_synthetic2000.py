# Screening: where does the depth test help? One threshold group, the spatial threshold T in
# {0.7, 1.5, 2.0, 3.0} feature-bin diagonals (a large T admits many positives across object
# borders, which the depth test can remove), each without the depth test (the PixContrast twin,
# named 'T=<T> no depth') and with T' in {0.05, 0.1, 0.2, 0.3} (normalised depth); a random
# encoder and the supervised reference. Seeds 0 and 1 of the protocol of
# transfer_synthetic2000_bf16.py (2000 images, 25 epochs, bfloat16, frozen probes with mIoU,
# Boundary IoU, foreground mIoU and mIoU near depth edges). depth_screening_synthetic2000-small.py
# runs it on scenes of small objects. The settings chosen from it are confirmed on other seeds by
# depth_confirmation_*.py. Run it with
#   python tools/analysis_tools/benchmark_transfer.py benchmarks/depth_screening_synthetic2000.py
_base_ = './transfer_synthetic2000_bf16.py'
seeds = [0, 1]
_pixdepth = 'configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'
_pixcontrast = 'configs/pixcontrast/pixcontrast_r18-w16_1xb32-100e_synthetic-64x64.py'
_spatial = (0.7, 1.5, 2.0, 3.0)
_depth = (0.05, 0.1, 0.2, 0.3)
methods = [
    dict(name=name, pretrain=config, pretrain_options=options)
    for t in _spatial
    for name, config, options in [(f'T={t} no depth', _pixcontrast, {'model.dist_thr': t})] + [
        (f"T={t} T'={d}", _pixdepth, {'model.dist_thr': t, 'model.depth_thr': d})
        for d in _depth]
] + [
    dict(name='random init'),
    dict(name='supervised',
         finetune_config='configs/deeplabv3/deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py'),
]
compare = [(f"T={t} T'={d}", f'T={t} no depth') for t in _spatial for d in _depth]
learnability = dict(method='supervised', metric='end-to-end mIoU', min=50)
similarity = None
