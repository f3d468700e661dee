# PixDepth on ScanNet frames with their sensor depth; ResNet-18, 8 GPUs x 32, 500 epochs.
_base_ = [
    '../_base_/models/pixdepth_r18.py',
    '../_base_/datasets/pixpro_scannet.py',
    '../_base_/schedules/sgd_cosine_500e.py',
    '../_base_/pretrain_runtime.py',
]
train_dataloader = dict(batch_size=32)
