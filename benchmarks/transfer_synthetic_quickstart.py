# The quick start's benchmark (tools/quickstart.sh), sized for 2 CPU cores: on the built-in
# synthetic RGB-D data, pretrain PixDepth and PixContrast (the same model without the depth test)
# on a narrow ResNet-18, train the same encoder end to end on the labels (the supervised
# reference), then probe the FROZEN encoder of each and of a random-init encoder with heads
# trained on features computed once per image (a linear classifier per cell and a narrow
# DeepLabV3 ASPP head); report mIoU and per-class IoU on the val split. Run it with
#   python tools/analysis_tools/benchmark_transfer.py \
#       benchmarks/transfer_synthetic_quickstart.py
data_root = 'data/synthetic_rgbd'
seeds = [0]
pretrain_options = {}
probe = dict(
    config='configs/deeplabv3/deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py',
    heads=['linear', 'aspp'],
    epochs=dict(linear=30, aspp=20),
    lr=dict(linear=1e-2, aspp=1e-3),
    aspp_channels=64)
methods = [
    dict(name='PixDepth', pretrain='configs/pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='PixContrast',
         pretrain='configs/pixcontrast/pixcontrast_r18-w16_1xb32-100e_synthetic-64x64.py'),
    dict(name='random init'),
    dict(name='supervised',
         finetune_config='configs/deeplabv3/deeplabv3_r18-w16_1xb16-40e_synthetic-128x128.py'),
]
compare = [('PixDepth', 'PixContrast')]
learnability = dict(method='supervised', metric='end-to-end mIoU', min=50)
# similarity maps of every encoder (first seed) on the first val images, at an object point
similarity = dict(split='val', num_images=3)
