# The quick start's benchmark (tools/quickstart.sh): on the built-in synthetic RGB-D data, pretrain
# PixDepth and PixPro (ResNet-18, 96x96 views, same budget and seed), then fine-tune DeepLabV3 on
# the FROZEN encoder of each and of a random-init encoder; report mIoU and per-class IoU on the
# val split. About 15 minutes on 2 CPU cores. Run it with
#   python tools/analysis_tools/benchmark_transfer.py \
#       configs/benchmarks/transfer_synthetic_quickstart.py
data_root = 'data/synthetic_rgbd'
seeds = [0]

# every pretraining: 3 epochs (1 warm-up + 2 cosine) instead of the config's 5
pretrain_options = {
    'train_cfg.max_epochs': 3,
    'param_scheduler.1.T_max': 2,
    'param_scheduler.1.end': 3,
    'default_hooks.logger.interval': 5,
}
# every fine-tuning: 6 epochs, one evaluation of the last epoch (no model selection on the
# evaluation split, no early stopping). To fit the time budget the encoder runs at output
# stride 16 (as in the pretraining: 8x8 cells for 128x128 images, ASPP dilations scaled down),
# and the head's Adam lr is 1e-2 instead of the paper's 1e-3 (with 1e-3 the head on a 3-epoch
# PixDepth encoder predicted only background after 6 epochs; 1e-2 was then checked on the
# random-init encoder, which it lets learn something in 6 epochs).
finetune = dict(
    config='configs/deeplabv3_r18-frozen_1xb8-20e_synthetic-128x128.py',
    options={
        'model.backbone.strides': (1, 2, 2, 1),
        'model.backbone.dilations': (1, 1, 1, 2),
        'model.decode_head.dilations': (1, 2, 4, 6),
        'optim_wrapper.optimizer.lr': 1e-2,
        'train_cfg.max_epochs': 6,
        'train_cfg.val_interval': 1000,
        'param_scheduler.0.end': 6,
        'default_hooks.checkpoint.save_best': None,
        'default_hooks.checkpoint.max_keep_ckpts': 1,
        'custom_hooks': [dict(type='CheckInvalidLossHook')],
    })
methods = [
    dict(name='PixDepth', pretrain='configs/pixdepth_r18_1xb16-5e_synthetic-96x96.py'),
    dict(name='PixPro', pretrain='configs/pixpro_r18_1xb16-5e_synthetic-96x96.py'),
    dict(name='random init', finetune_options={'model.backbone.init_cfg': None}),
]
# similarity maps of every encoder (first seed) on the first val images, at an object point
similarity = dict(split='val', num_images=3)
