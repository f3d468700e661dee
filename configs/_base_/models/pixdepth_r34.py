# PixDepth on a ResNet-34 (7x7 stem, C5 map of 512 channels at stride 32), with the paper's pixel
# contrast loss (Eq. 2; temperature 0.3). Multi-threshold (paper section 3.2): T and T' in
# {0.3, 0.5, 0.7}, zipped into 3 channel groups, so the projection has 384 = 3 x 128 channels.
model = dict(
    type='PixDepth',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet', depth=34, out_indices=(3, ), norm_cfg=dict(type='SyncBN'),
        zero_init_residual=False),
    neck=dict(
        type='PixelProjector', in_channels=512, hid_channels=4096, out_channels=384,
        norm_cfg=dict(type='SyncBN')),
    tau=0.3,  # temperature of the pixel contrast loss (the model's default loss_type)
    dist_thr=[0.3, 0.5, 0.7],
    depth_thr=[0.3, 0.5, 0.7],
    base_momentum=0.01,
    # cells of a view per block of the pixel loss (e.g. 256): bounded memory on large feature
    # maps, same result; None computes the whole [B, H*W, H*W] pair matrices at once
    loss_chunk_size=None)
