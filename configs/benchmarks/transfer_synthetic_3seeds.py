# Evidence benchmark on the built-in synthetic RGB-D data: the quick start's protocol with 3 seeds,
# plus single-threshold PixDepth and a supervised reference (the same DeepLabV3 with a trainable
# encoder trained from scratch on the labels, same epochs). About an hour on 2 CPU cores.
#   python tools/analysis_tools/benchmark_transfer.py \
#       configs/benchmarks/transfer_synthetic_3seeds.py
_base_ = './transfer_synthetic_quickstart.py'
seeds = [0, 1, 2]
methods = [
    # 3 zipped threshold pairs (T, T') = (0.3, 0.3), (0.5, 0.5), (0.7, 0.7) on 3 channel groups
    dict(name='PixDepth', pretrain='configs/pixdepth_r18_1xb16-5e_synthetic-96x96.py'),
    # one pair, the paper's best single setting T = 0.5, T' = 0.3, on all 384 channels
    dict(name='PixDepth 1-thr',
         pretrain='configs/pixdepth_r18_1xb16-5e_synthetic-96x96.py',
         pretrain_options={'model.dist_thr': 0.5, 'model.depth_thr': 0.3}),
    # the same three spatial thresholds without the depth test
    dict(name='PixPro', pretrain='configs/pixpro_r18_1xb16-5e_synthetic-96x96.py'),
    dict(name='random init', finetune_options={'model.backbone.init_cfg': None}),
    dict(name='supervised',
         finetune_config='configs/deeplabv3_r18_1xb8-20e_synthetic-128x128.py'),
]
