# PixPro baseline of pixdepth_r34_imagenet.py: same data and schedule, a single spatial
# threshold T = 0.7, no depth test, 256 projected channels (PixPro's own settings).
_base_ = './pixdepth_r34_imagenet.py'
model = dict(
    type='PixPro',
    neck=dict(out_channels=256),
    ppm=dict(channels=256),
    dist_thr=0.7,
    depth_thr=None)
