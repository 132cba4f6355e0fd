#!/usr/bin/env bash
# Side-by-side tracing benchmark: modtrace and PyTorch timed in one run, so the
# ratios compare like with like on a shared, noisy machine.
#
#   tools/bench/tracing.sh [--runs N] [MODEL ...]      (default: seed_main_model resnet18 resnet50)
#
# Needs a built tree (tools/setup.sh) and, for the PyTorch column, Debian's
# python3-torch and python3-torchvision (apt-get install python3-torchvision).
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=10
if [ "${1:-}" = "--runs" ]; then runs=$2; shift 2; fi
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(seed_main_model resnet18 resnet50)

export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
echo "# modtrace ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), OMP_NUM_THREADS=$OMP_NUM_THREADS)"
build/tools/bench/modtrace-bench-trace --runs "$runs" "${models[@]}"
if /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  echo "# PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
  /usr/bin/python3 tools/bench/torch_baseline.py --threads "$OMP_NUM_THREADS" --runs "$runs" "${models[@]}"
else
  echo "# PyTorch not installed: apt-get install python3-torchvision for the side-by-side column"
fi
