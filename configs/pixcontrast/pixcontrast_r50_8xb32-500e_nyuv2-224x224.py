# PixContrast twin of pixdepth_r50_8xb32-500e_nyuv2-224x224.py:
# the same pixel contrast loss, data, schedule and three spatial thresholds, without the depth
# test.
_base_ = '../pixdepth/pixdepth_r50_8xb32-500e_nyuv2-224x224.py'
model = dict(type='PixContrast', depth_thr=None)
