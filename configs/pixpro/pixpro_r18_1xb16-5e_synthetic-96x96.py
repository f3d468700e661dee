# PixPro baseline on the synthetic data: the data, schedule, widths and three spatial thresholds
# of pixdepth_r18_1xb16-5e_synthetic-96x96.py, no depth test, PixPro's pixel propagation module
# and consistency loss.
_base_ = '../pixdepth/pixdepth_r18_1xb16-5e_synthetic-96x96.py'
model = dict(
    type='PixPro',
    ppm=dict(type='PixelPropagation', channels=384, gamma=2.0, num_layers=1),
    depth_thr=None)
