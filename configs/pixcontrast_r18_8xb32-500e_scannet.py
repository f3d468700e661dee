# PixContrast twin of pixdepth_r18_8xb32-500e_scannet.py:
# the same pixel contrast loss, data, schedule and three spatial thresholds, without the depth
# test.
_base_ = './pixdepth_r18_8xb32-500e_scannet.py'
model = dict(type='PixContrast', depth_thr=None)
