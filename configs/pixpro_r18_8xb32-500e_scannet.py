# PixPro twin of pixdepth_r18_8xb32-500e_scannet.py: the same data, schedule and three
# spatial thresholds, without the depth test.
_base_ = './pixdepth_r18_8xb32-500e_scannet.py'
model = dict(type='PixPro', depth_thr=None)
