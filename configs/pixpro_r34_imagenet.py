# Entry point of the design: the PixPro baseline of configs/pixdepth_r34_imagenet.py
# (configs/pixpro/pixpro_r34_8xb32-500e_imagenet-224x224.py).
#   tools/dist_train.sh configs/pixpro_r34_imagenet.py 8
_base_ = './pixpro/pixpro_r34_8xb32-500e_imagenet-224x224.py'
