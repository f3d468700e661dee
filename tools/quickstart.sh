#!/usr/bin/env bash
# The quick start, one command: make the built-in synthetic RGB-D data (kept between runs),
# pretrain PixDepth and PixPro (ResNet-18, same budget and seed), fine-tune DeepLabV3 on the
# frozen encoder of each and of a random-init encoder, print mIoU and per-class IoU, and write
# the logs, the table and similarity-map PNGs to work_dirs/quickstart (about 15 minutes on
# 2 CPU cores). Finished runs are reused when it is run again; extra arguments go to
# tools/analysis_tools/benchmark_transfer.py (e.g. --out-dir, --seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
python tools/generate_synthetic_data.py --out data/synthetic_rgbd
python tools/analysis_tools/benchmark_transfer.py \
    configs/benchmarks/transfer_synthetic_quickstart.py --out-dir work_dirs/quickstart "$@"
