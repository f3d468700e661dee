# Entry point of the design: PixDepth, ResNet-34, ImageNet with monocular depth, 8 GPUs x 32,
# 500 epochs (configs/pixdepth/pixdepth_r34_8xb32-500e_imagenet-224x224.py).
#   tools/dist_train.sh configs/pixdepth_r34_imagenet.py 8
_base_ = './pixdepth/pixdepth_r34_8xb32-500e_imagenet-224x224.py'
