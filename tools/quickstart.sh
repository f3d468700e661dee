#!/usr/bin/env bash
# The quick start: make the built-in synthetic RGB-D data (kept between runs), then pretrain
# PixDepth (ResNet-18) on it. Extra arguments go to tools/train.py.
set -euo pipefail
cd "$(dirname "$0")/.."
python tools/generate_synthetic_data.py --out data/synthetic_rgbd
python tools/train.py configs/pixdepth_r18_1xb16-5e_synthetic-96x96.py "$@"
