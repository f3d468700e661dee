# Runtime of mmseg-scope jobs (segmentation fine-tuning and evaluation).
default_scope = 'mmseg'
custom_imports = dict(imports=['mmpixdepth'], allow_failed_imports=False)
custom_hooks = [
    dict(type='CheckInvalidLossHook'),  # stop at a NaN/inf loss
    # refuse a load_from / resume checkpoint that gives under half of the model's weights
    dict(type='CheckWeightsFitHook'),
    # early stopping on the validation mIoU; the best checkpoint is kept (save_best below).
    # mmengine's EarlyStoppingHook, shimmed so that tools/test.py does not need the train data
    dict(type='EarlyStoppingHookShim', monitor='mIoU', rule='greater', patience=10),
]
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))  # tools/train.py switches to gloo without CUDA
vis_backends = [dict(type='LocalVisBackend')]
# mmseg's SegLocalVisualizer, leaving out the depth the test pipelines load for the metrics
visualizer = dict(type='RGBDSegLocalVisualizer', vis_backends=vis_backends)  # named per run
log_processor = dict(by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # mmengine's CheckpointHook with atomic saves and no silent overwrites
    checkpoint=dict(type='SafeCheckpointHook', by_epoch=True, interval=1, max_keep_ckpts=3,
                    save_best='mIoU', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
