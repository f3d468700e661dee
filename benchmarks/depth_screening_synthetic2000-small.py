# depth_screening_synthetic2000.py on scenes of small objects (about 94 % background pixels
# instead of about 77 %). Make the data and run it with
#   python tools/generate_synthetic_data.py --out data/synthetic_rgbd_2000_small \
#       --num-train 2000 --object-scale 0.5
#   python tools/analysis_tools/benchmark_transfer.py \
#       benchmarks/depth_screening_synthetic2000-small.py
_base_ = './depth_screening_synthetic2000.py'
data_root = 'data/synthetic_rgbd_2000_small'
