# PixContrast baseline of pixdepth_r34_imagenet.py: the same pixel contrast loss, widths,
# thresholds, data and schedule, without the depth test (depth is the only difference).
_base_ = '../pixdepth/pixdepth_r34_8xb32-500e_imagenet-224x224.py'
model = dict(type='PixContrast', depth_thr=None)
