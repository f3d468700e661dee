# DeepLabV3 with a ResNet-18 trained from scratch on the built-in synthetic RGB-D data:
# the supervised baseline, and the quick-start job. 128x128 images give a 16x16 feature map at
# output stride 8, hence smaller ASPP dilations than mmseg's (1, 12, 24, 36).
_base_ = [
    '../_base_/models/deeplabv3_r18.py',
    '../_base_/datasets/synthetic_rgbd_seg.py',
    '../_base_/schedules/adam_cosine_20e.py',
    '../_base_/seg_runtime.py',
]
model = dict(decode_head=dict(num_classes=6, dilations=(1, 6, 12, 18)))
