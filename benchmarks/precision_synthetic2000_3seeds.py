# bfloat16 autocast (AutocastOptimWrapper, channels_last) against float32 on the 2000-image
# evidence protocol (transfer_synthetic2000_5seeds.py): seeds 0-2 of its core methods, each
# trained and probed in both precisions, with the paired differences bf16 - fp32 of both probes
# and of the supervised reference's end-to-end mIoU. The bf16 methods are those of
# transfer_synthetic2000_bf16.py (same names, configs and options): with the same --out-dir its
# seed-0 runs are reused. Make the data and run it with
#   python tools/generate_synthetic_data.py --out data/synthetic_rgbd_2000 --num-train 2000
#   python tools/analysis_tools/benchmark_transfer.py benchmarks/precision_synthetic2000_3seeds.py
_base_ = './transfer_synthetic2000_5seeds.py'
seeds = [0, 1, 2]
precision = 'bf16'  # every method but those that say fp32
_pixdepth = 'configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'
_pixcontrast = 'configs/pixcontrast/pixcontrast_r18-w16_1xb32-100e_synthetic-64x64.py'
_supervised = 'configs/deeplabv3/deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py'
methods = [
    dict(name='PixDepth', pretrain=_pixdepth),
    dict(name='PixContrast', pretrain=_pixcontrast),
    dict(name='random init'),
    dict(name='supervised', finetune_config=_supervised),
    dict(name='PixDepth fp32', pretrain=_pixdepth, precision='fp32'),
    dict(name='PixContrast fp32', pretrain=_pixcontrast, precision='fp32'),
    dict(name='random init fp32', precision='fp32'),
    dict(name='supervised fp32', finetune_config=_supervised, precision='fp32'),
]
compare = [('PixDepth', 'PixDepth fp32'), ('PixContrast', 'PixContrast fp32'),
           ('random init', 'random init fp32'), ('supervised', 'supervised fp32')]
similarity = None
