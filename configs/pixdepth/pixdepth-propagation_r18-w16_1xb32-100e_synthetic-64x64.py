# PixDepth, propagation variant (what the authors' public code trains): PixPro's pixel
# propagation module and consistency loss on the positives, which the depth test can only
# remove; otherwise as pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py.
_base_ = './pixdepth_r18-w16_1xb32-100e_synthetic-64x64.py'
model = dict(
    loss_type='propagation',
    ppm=dict(type='PixelPropagation', channels=192, gamma=2.0, num_layers=1))
