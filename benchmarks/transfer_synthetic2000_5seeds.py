# The evidence benchmark (every variant, 5 seeds) on 2000 synthetic training images instead of
# 500: the same 100 val images (the first 500 train images are the default set's too), the
# pretraining and probe iterations of the 500-image protocol, and twice the supervised
# reference's iterations. Make the data and run it with
#   python tools/generate_synthetic_data.py --out data/synthetic_rgbd_2000 --num-train 2000
#   python tools/analysis_tools/benchmark_transfer.py benchmarks/transfer_synthetic2000_5seeds.py
# (--methods and --seeds run a part of it; finished runs are reused).
_base_ = './transfer_synthetic_5seeds.py'
data_root = 'data/synthetic_rgbd_2000'  # read by every pretraining, probe and fine-tuning
# 25 epochs of 62 iterations = the 1500 iterations of 100 epochs of 500 images, with a warm-up
# of about 30 iterations as there
pretrain_options = {'train_cfg.max_epochs': 25,
                    'param_scheduler.0.end': 0.5,
                    'param_scheduler.1.begin': 0.5, 'param_scheduler.1.T_max': 24.5,
                    'param_scheduler.1.end': 25,
                    'default_hooks.checkpoint.interval': 5}
# The options of the segmentation config reach the probes (which read its datasets only) and the
# supervised reference (schedule: 20 epochs of 125 iterations, twice the 1280 iterations of the
# 500-image protocol). The probes train their heads for the iterations of the 500-image protocol
# (30 / 20 epochs of 500 images).
probe = dict(
    options={'train_cfg.max_epochs': 20, 'param_scheduler.0.end': 20,
             'default_hooks.checkpoint.interval': 20},
    epochs=dict(linear=8, aspp=5))
