# The quick start's benchmark (tools/quickstart.sh), sized to finish in under 20 minutes on 2 CPU
# cores: the protocol of transfer_synthetic2000_bf16.py (2000 images, bfloat16, frozen probes with
# mIoU, Boundary IoU, foreground mIoU and mIoU near depth edges) with 15 pretraining epochs (930
# iterations) instead of 25, and without the supervised reference, which alone takes about 9
# minutes there (it reaches 54.14 end-to-end mIoU on seed 0, the learnability check: README,
# Results). Pretrain PixDepth and PixContrast (the same model without the depth test) on a
# narrow ResNet-18, probe the frozen encoder of each and of a random-init encoder, and print
# PixDepth - PixContrast. Make the data and run it with
#   python tools/generate_synthetic_data.py --out data/synthetic_rgbd_2000 --num-train 2000
#   python tools/analysis_tools/benchmark_transfer.py benchmarks/transfer_synthetic_quickstart.py
_base_ = './transfer_synthetic2000_bf16.py'
pretrain_options = {'train_cfg.max_epochs': 15, 'param_scheduler.1.T_max': 14.5,
                    'param_scheduler.1.end': 15}
methods = [
    dict(name='PixDepth',
         pretrain='configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='PixContrast',
         pretrain='configs/pixcontrast/pixcontrast_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='random init'),
]
learnability = None
