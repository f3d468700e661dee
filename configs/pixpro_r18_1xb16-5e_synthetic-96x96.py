# PixPro baseline of pixdepth_r18_1xb16-5e_synthetic-96x96.py: the same data, schedule and
# three spatial thresholds, without the depth test.
_base_ = './pixdepth_r18_1xb16-5e_synthetic-96x96.py'
model = dict(type='PixPro', depth_thr=None)
