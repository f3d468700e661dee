# PixDepth on stereo pairs of the built-in synthetic scenes, with the depth taken from the
# disparity that SGBM found (no depth sensor): as pixdepth_r18_1xb16-5e_synthetic-96x96.py,
# reading the left images and their disparity maps. Made by
#   python tools/generate_synthetic_data.py --out data/synthetic_rgbd
#   python tools/generate_stereo_pairs.py data/synthetic_rgbd --out data/synthetic_stereo
#   python tools/generate_disparity.py data/synthetic_stereo/left data/synthetic_stereo/right \
#       --out data/synthetic_stereo/disparity
# Disparity maps are 16-bit PNGs as Cityscapes': 0 = invalid (occlusions, mismatches), else
# (p - 1) / 256 px. Disparity is inverse depth; LoadDepthFromFile normalises each map to
# [0, 1], so it is used as it is, as the Cityscapes configs do.
_base_ = ['./pixdepth_r18_1xb16-5e_synthetic-96x96.py']
data_root = 'data/synthetic_stereo'
train_dataloader = dict(
    dataset=dict(data_root=data_root, img_prefix='left/train', depth_prefix='disparity/train'))
