#!/usr/bin/env bash
# ONNX import benchmark: modtrace's import + shape-only trace next to onnx's
# Python onnx.load + shape inference, on the same files, in one run.
#
#   tools/bench/onnx.sh [--runs N] [MODEL ...]      (default: resnet50 vit_b_16)
#
# Exports each torchvision model once (weights included, tools/export_onnx.py)
# into build/bench-onnx/. Needs a built tree and Debian's python3-torch,
# python3-torchvision and python3-onnx (never needed to build or test).
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=5
if [ "${1:-}" = "--runs" ]; then runs=$2; shift 2; fi
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(resnet50 vit_b_16)

export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
mkdir -p build/bench-onnx
files=()
for m in "${models[@]}"; do
  f=build/bench-onnx/$m.onnx
  if [ ! -f "$f" ]; then
    /usr/bin/python3 tools/export_onnx.py "torchvision.models:$m" --input-shape 1,3,224,224 -o "$f" 2>/dev/null
  fi
  files+=("$f")
done
echo "# modtrace ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), OMP_NUM_THREADS=$OMP_NUM_THREADS)"
build/tools/bench/modtrace-bench-onnx --runs "$runs" "${files[@]}"
echo "# onnx (Python)"
/usr/bin/python3 tools/bench/onnx_baseline.py --runs "$runs" "${files[@]}"
