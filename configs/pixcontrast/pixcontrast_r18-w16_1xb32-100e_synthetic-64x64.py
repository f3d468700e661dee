# PixContrast baseline of pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py: the same pixel contrast
# loss, widths, spatial thresholds, data and schedule, without the depth test. Depth is the only
# difference between the two.
_base_ = '../pixdepth/pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'
model = dict(type='PixContrast', depth_thr=None)
