# PixDepth without its encoder: the paper's pixel contrast loss (Eq. 2; temperature 0.3) and
# multi-threshold groups (section 3.2): T and T' in {0.3, 0.5, 0.7}, zipped into 3 channel
# groups. pixdepth_r18.py, pixdepth_r34.py, pixdepth_r50.py and pixdepth_r18-w16_os8.py add the
# ResNet and the projector that fit it.
model = dict(
    type='PixDepth',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    dist_thr=[0.3, 0.5, 0.7],
    depth_thr=[0.3, 0.5, 0.7],
    base_momentum=0.01,
    head=dict(
        type='PixelContrastHead',
        temperature=0.3,
        # cells of a view per block of the pixel loss (e.g. 256): bounded memory on large
        # feature maps, same result; None computes the [B, H*W, H*W] pair matrices at once
        chunk_size=None))
