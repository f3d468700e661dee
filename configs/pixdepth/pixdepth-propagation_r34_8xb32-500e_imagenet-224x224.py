# PixDepth, propagation variant (what the authors' public code trains): PixPro's pixel
# propagation module (per threshold group) and consistency loss on the positives; otherwise as
# pixdepth_r34_imagenet.py.
_base_ = './pixdepth_r34_8xb32-500e_imagenet-224x224.py'
model = dict(
    loss_type='propagation',
    ppm=dict(type='PixelPropagation', channels=384, gamma=2.0, num_layers=1))
