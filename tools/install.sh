#!/usr/bin/env bash
# One-command, idempotent install of mmpixdepth and the OpenMMLab stack it runs on.
#
#   bash tools/install.sh            # into the active virtualenv, or ./.venv (created if needed)
#
# Environment knobs:
#   MMPIXDEPTH_CACHE      where built mmcv wheels are kept (default: ~/.cache/mmpixdepth)
#   MMCV_CUDA=auto|1|0    compile mmcv's CUDA ops: auto = only when CUDA torch, nvcc and a GPU are all present
#   MMPIXDEPTH_EXTRAS     pip extras of the package to install (default: tests)
#   MMPIXDEPTH_INSTALLER=uv|pip   who installs packages (default uv, falling back to pip)
source "$(dirname "${BASH_SOURCE[0]}")/usage.sh"
usage_or_continue 0 "$@"
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=2.1.0
MMENGINE_VERSION=0.10.7
MMSEG_VERSION=1.2.2
MMPRETRAIN_VERSION=1.2.0
CACHE=${MMPIXDEPTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmpixdepth}
EXTRAS=${MMPIXDEPTH_EXTRAS:-tests}

log() { printf '\033[1;34m[install]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[install] error:\033[0m %s\n' "$*" >&2; exit 1; }

# 1. Python environment: the active virtualenv, else ./.venv.
if [ -n "${VIRTUAL_ENV:-}" ]; then
  PY="$VIRTUAL_ENV/bin/python"
  log "using the active virtualenv $VIRTUAL_ENV"
else
  if [ ! -x "$ROOT/.venv/bin/python" ]; then
    log "creating $ROOT/.venv"
    python3 -m venv "$ROOT/.venv" || die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
  fi
  PY="$ROOT/.venv/bin/python"
  log "using $ROOT/.venv"
fi
"$PY" -c 'import sys; assert sys.version_info >= (3, 9), sys.version' \
  || die "Python >= 3.9 is required, found $("$PY" --version)"
pip() { "$PY" -m pip "$@"; }

# Installer: uv when it can be had (it unpacks the multi-GB torch and CUDA wheels in parallel and
# links them from its cache, several times faster than pip), else pip. uv does not read pip's
# configuration, so it is handed the indexes, links, constraints and certificate pip would use.
UV_ARGS=()
if [ "${MMPIXDEPTH_INSTALLER:-uv}" = uv ] && pip install -q uv >/dev/null 2>&1 \
   && "$PY" -m uv --version >/dev/null 2>&1; then
  { read -r cert; while IFS= read -r arg; do UV_ARGS+=("$arg"); done; } < <("$PY" - <<'PYEOF'
import subprocess, sys
listing = subprocess.run([sys.executable, '-m', 'pip', 'config', 'list'],
                         capture_output=True, text=True).stdout
rank = {'global': 0, 'install': 1, ':env:': 2}  # pip's precedence, lowest first
found = {}
for line in listing.splitlines():
    name, _, value = line.partition('=')
    section, _, key = name.rpartition('.')
    if section in rank and rank[section] >= found.get(key, (-1, ''))[0]:
        found[key] = (rank[section], value.strip().strip('"\''))
print(found.get('cert', (0, ''))[1])  # first line: the CA bundle, or empty
flags = {'index-url': '--index-url', 'extra-index-url': '--extra-index-url',
         'find-links': '--find-links', 'constraint': '--constraints'}
for key, flag in flags.items():
    for value in found.get(key, (0, ''))[1].split():
        print(flag), print(value)
PYEOF
  )
  if [ -n "$cert" ]; then export SSL_CERT_FILE="$cert"; fi
  UV_ARGS=(--python "$PY" --index-strategy unsafe-best-match --compile-bytecode "${UV_ARGS[@]}")
  log "installing with uv $("$PY" -m uv --version | cut -d' ' -f2)"
fi
install() {
  if [ ${#UV_ARGS[@]} -gt 0 ]; then
    "$PY" -m uv pip install "${UV_ARGS[@]}" "$@" && return
    log "uv failed; retrying with pip"
  fi
  pip install "$@"
}

# 2. PyTorch: keep a working torch + torchvision, else install the tested pair.
if "$PY" - <<'PYEOF' 2>/dev/null
import torch, torchvision
major, minor = (int(x) for x in torch.__version__.split('.')[:2])
assert (major, minor) >= (2, 1)
PYEOF
then
  log "keeping the installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  log "installing torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION"
  install "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
fi

# setuptools < 81 still ships pkg_resources, which mmcv 2.1.0's setup.py imports (torch needs >= 77.0.3).
install -q 'setuptools>=77.0.3,<81' wheel

# 3. mmcv with compiled ops, from the official sdist, cached as a wheel keyed by versions.
read -r TORCH_V TORCH_CUDA CUDA_OK PYTAG CXXSTD < <("$PY" - <<'PYEOF'
import os, re, sys, torch
from torch.utils.cpp_extension import include_paths
# ATen.h states the C++ standard the installed torch needs ("C++20 or later ... is required").
aten = os.path.join(include_paths()[0], 'ATen', 'ATen.h')
found = re.findall(r'C\+\+(\d+) or later', open(aten).read()) if os.path.exists(aten) else []
std = f'c++{max(int(v) for v in found)}' if found else 'c++17'
print(torch.__version__, torch.version.cuda or 'none', int(torch.cuda.is_available()),
      f'cp{sys.version_info.major}{sys.version_info.minor}', std)
PYEOF
)
MMCV_CUDA=${MMCV_CUDA:-auto}
if [ "$MMCV_CUDA" = auto ]; then
  if [ "$TORCH_CUDA" != none ] && [ "$CUDA_OK" = 1 ] && command -v nvcc >/dev/null; then MMCV_CUDA=1; else MMCV_CUDA=0; fi
fi
if [ "$MMCV_CUDA" = 1 ]; then
  command -v nvcc >/dev/null || die "MMCV_CUDA=1 but nvcc is not on PATH"
  [ "$TORCH_CUDA" != none ] || die "MMCV_CUDA=1 but the installed torch $TORCH_V has no CUDA"
  OPS_TAG="cu${TORCH_CUDA}"
else
  OPS_TAG=cpu
fi
KEY="mmcv${MMCV_VERSION}-torch${TORCH_V}-${OPS_TAG}-${PYTAG}"
WHEEL_DIR="$CACHE/wheels/$KEY"

if "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null \
   && [ -f "$WHEEL_DIR/.built" ]; then
  log "mmcv $MMCV_VERSION with ops already installed ($KEY)"
else
  if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1 || [ ! -f "$WHEEL_DIR/.built" ]; then
    log "building mmcv $MMCV_VERSION with compiled ops ($OPS_TAG, -std=$CXXSTD); about 15 minutes on 2 CPU cores"
    BUILD=$(mktemp -d)
    trap 'rm -rf "$BUILD"' EXIT
    pip download -q --no-deps --no-binary mmcv --no-build-isolation "mmcv==$MMCV_VERSION" -d "$BUILD" \
      || die "could not download the mmcv $MMCV_VERSION sdist from the package index"
    tar -xzf "$BUILD/mmcv-$MMCV_VERSION.tar.gz" -C "$BUILD"
    SRC="$BUILD/mmcv-$MMCV_VERSION"
    sed -i "s/'-std=c++17'/'-std=$CXXSTD'/g" "$SRC/setup.py"
    mkdir -p "$WHEEL_DIR"
    rm -f "$WHEEL_DIR"/*.whl
    if [ "$MMCV_CUDA" = 1 ]; then export FORCE_CUDA=1; else export FORCE_CUDA=0; fi
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
      pip wheel --no-deps --no-build-isolation -w "$WHEEL_DIR" "$SRC" \
      || die "building mmcv failed (see the compiler output above)"
    touch "$WHEEL_DIR/.built"
  else
    log "using the cached mmcv wheel $WHEEL_DIR"
  fi
  install --force-reinstall --no-deps "$WHEEL_DIR"/mmcv-*.whl
fi

# 4. The rest of the stack, its undeclared runtime needs, and this package (editable).
log "installing mmengine $MMENGINE_VERSION, mmsegmentation $MMSEG_VERSION, mmpretrain $MMPRETRAIN_VERSION, mmpixdepth"
install -q "mmcv==$MMCV_VERSION" "mmengine==$MMENGINE_VERSION" \
  "mmsegmentation==$MMSEG_VERSION" "mmpretrain==$MMPRETRAIN_VERSION" ftfy regex
install -q --no-build-isolation -e "$ROOT[$EXTRAS]"

# 5. Self-check.
"$PY" - <<'PYEOF'
import sys, torch, torchvision, mmcv, mmengine, mmseg, mmpretrain
import mmcv.ops, mmseg.models, mmpretrain.models, mmpixdepth
from mmcv.ops import nms  # a compiled op
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
nms(boxes, torch.tensor([0.9, 0.8]), 0.5)
print(f'python {sys.version.split()[0]} | torch {torch.__version__} (cuda {torch.version.cuda}, '
      f'available {torch.cuda.is_available()}) | torchvision {torchvision.__version__}')
print(f'mmcv {mmcv.__version__} (ops ok) | mmengine {mmengine.__version__} | '
      f'mmsegmentation {mmseg.__version__} | mmpretrain {mmpretrain.__version__} | mmpixdepth {mmpixdepth.__version__}')
PYEOF
log "done. Activate with: source ${VIRTUAL_ENV:-$ROOT/.venv}/bin/activate"
