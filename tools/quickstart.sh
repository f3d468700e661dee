#!/usr/bin/env bash
# The quick start, one command: make the built-in synthetic RGB-D data with 2000 training images
# (kept between runs), pretrain PixDepth and PixContrast (the same model without the depth test)
# on a narrow ResNet-18 for 15 epochs, probe the frozen encoder of each and of a random-init
# encoder, print the tables (mIoU, Boundary IoU, per-class IoU, PixDepth - PixContrast, minutes
# per stage) and write the logs, the tables and similarity-map PNGs to work_dirs/quickstart.
# Under 20 minutes on 2 CPU cores. Everything trains under bfloat16 autocast (--precision fp32
# for float32). Finished runs are reused when it is run again; extra arguments go to
# tools/analysis_tools/benchmark_transfer.py (e.g. --out-dir, --seeds, --precision).
source "$(dirname "${BASH_SOURCE[0]}")/usage.sh"
usage_or_continue 0 "$@"
set -euo pipefail
cd "$(dirname "$0")/.."
python tools/generate_synthetic_data.py --out data/synthetic_rgbd_2000 --num-train 2000
python tools/analysis_tools/benchmark_transfer.py \
    benchmarks/transfer_synthetic_quickstart.py --out-dir work_dirs/quickstart "$@"
