# Seed 0 of the 2000-image evidence benchmark (transfer_synthetic2000_5seeds.py) with its core
# methods, in bfloat16 autocast: the protocol of the depth screening and of the propagation
# benchmarks, and the quick start's until the quick start was shortened to fit 20 minutes on
# 2 cores (transfer_synthetic_quickstart.py). Pretrain PixDepth and PixContrast (the same model
# without the depth test) on a narrow ResNet-18 for 25 epochs (1550 iterations), train the same
# encoder end to end on the labels (the supervised reference, whose end-to-end mIoU is the
# learnability check), then probe the FROZEN encoder of each and of a random-init encoder with
# heads trained on features computed once per image (a linear classifier per cell and a narrow
# DeepLabV3 ASPP head); report mIoU, Boundary IoU and per-class IoU on the val split. Every
# training and feature extraction runs under bfloat16 autocast (precision = 'bf16'; --precision
# fp32 runs it in float32). Make the data and run it with
#   python tools/generate_synthetic_data.py --out data/synthetic_rgbd_2000 --num-train 2000
#   python tools/analysis_tools/benchmark_transfer.py benchmarks/transfer_synthetic2000_bf16.py
_base_ = './transfer_synthetic2000_5seeds.py'
seeds = [0]
precision = 'bf16'
methods = [
    dict(name='PixDepth',
         pretrain='configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='PixContrast',
         pretrain='configs/pixcontrast/pixcontrast_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='random init'),
    dict(name='supervised',
         finetune_config='configs/deeplabv3/deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py'),
]
compare = [('PixDepth', 'PixContrast')]
