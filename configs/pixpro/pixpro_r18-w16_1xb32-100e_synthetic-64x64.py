# PixPro baseline of pixdepth-propagation_r18-w16_1xb32-100e_synthetic-64x64.py: the same
# propagation loss, widths, spatial thresholds, data and schedule, without the depth test.
_base_ = '../pixdepth/pixdepth-propagation_r18-w16_1xb32-100e_synthetic-64x64.py'
model = dict(type='PixPro', depth_thr=None)
