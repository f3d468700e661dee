# PixDepth on the built-in synthetic RGB-D data, sized for a CPU: a narrow ResNet-18 at output
# stride 8, 64x64 views (8x8 cells), batch 32, the paper's pixel contrast loss and three zipped
# threshold groups. 100 epochs of the 500 training images (1500 iterations, about 5 minutes on
# 2 CPU cores). The quick start and the benchmarks in benchmarks/ pretrain with it.
_base_ = [
    '../_base_/models/pixdepth_r18-w16_os8.py',
    '../_base_/datasets/pixpro_synthetic_rgbd-64x64.py',
    '../_base_/schedules/sgd_cosine_100e.py',
    '../_base_/pretrain_runtime.py',
]
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=25, max_keep_ckpts=1))
