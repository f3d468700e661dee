# PixPro baseline of pixdepth_r34_imagenet.py: same data, schedule, projected width (384) and
# three spatial thresholds, no depth test, PixPro's pixel propagation module, consistency loss
# and optimiser (LARS). It differs from pixdepth-propagation_r34_8xb32-500e_imagenet-224x224.py
# by the depth test alone.
# PixPro's own single-threshold setting: --cfg-options model.dist_thr=0.7
#   model.neck.out_channels=256 model.head.ppm.channels=256
_base_ = '../pixdepth/pixdepth-propagation_r34_8xb32-500e_imagenet-224x224.py'
model = dict(type='PixPro', depth_thr=None)
