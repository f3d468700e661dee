# PixContrast twin of pixdepth_r18_8xb32-500e_scannet-224x224.py:
# the same pixel contrast loss, data, schedule and three spatial thresholds, without the depth
# test.
_base_ = '../pixdepth/pixdepth_r18_8xb32-500e_scannet-224x224.py'
model = dict(type='PixContrast', depth_thr=None)
