# PixContrast twin of pixdepth_r34_2xb64-800e_borehole.py:
# the same pixel contrast loss, data, schedule and three spatial thresholds, without the
# transit-time test.
_base_ = './pixdepth_r34_2xb64-800e_borehole.py'
model = dict(type='PixContrast', depth_thr=None)
