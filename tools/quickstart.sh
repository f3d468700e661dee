#!/usr/bin/env bash
# The quick start: make the built-in synthetic RGB-D data (kept between runs), then train the
# supervised DeepLabV3 baseline on it. Extra arguments go to tools/train.py.
set -euo pipefail
cd "$(dirname "$0")/.."
python tools/generate_synthetic_data.py --out data/synthetic_rgbd
python tools/train.py configs/deeplabv3_r18_1xb8-20e_synthetic-128x128.py "$@"
