#!/usr/bin/env bash
# Distributed training on one machine or several: tools/dist_train.sh CONFIG GPUS [train.py args]
# Several machines: NNODES, NODE_RANK, MASTER_ADDR and PORT on each. Without CUDA the processes
# use the gloo backend (set by the configs' env_cfg), so the same command runs on CPU.
source "$(dirname "${BASH_SOURCE[0]}")/usage.sh"
usage_or_continue 2 "$@"
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}

PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
python "$(dirname "$0")/launch.py" \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
