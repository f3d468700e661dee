# PixContrast twin of pixdepth_r34_2xb64-800e_borehole-224x224.py:
# the same pixel contrast loss, data, schedule and three spatial thresholds, without the
# transit-time test.
_base_ = '../pixdepth/pixdepth_r34_2xb64-800e_borehole-224x224.py'
model = dict(type='PixContrast', depth_thr=None)
