#!/usr/bin/env bash
# Forward speed side by side: modtrace, PyTorch and ONNX Runtime run every
# zoo model in one session, each model in its own process (so its peak
# memory is its own), and a table gives the times, both ratios and the peak
# memory of each, under the rate this binary's matrix product reaches (the
# limit for modtrace's kernels on this machine).
#
#   tools/bench/run.sh [--runs N] [--batch B]... [MODEL ...]
#
# Defaults: 10 runs, batch 1, every zoo model but the seed example;
# OMP_NUM_THREADS=2 (ONNX Runtime's intraOpNumThreads and PyTorch's threads
# follow it). PyTorch needs Debian's python3-torchvision; ONNX Runtime is
# npm's onnxruntime-node, installed here on first use into build/bench-ort
# (`npm install --ignore-scripts`: its install script fetches GPU binaries)
# and fed the models exported by python3-torch into build/bench-forward.
# Both are benchmark peers only, never build or test dependencies. A peer
# that is missing or takes over 10 minutes on a model leaves its column empty.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=10
batches=()
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --batch) batches+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) models+=("$1"); shift ;;
  esac
done
[ ${#batches[@]} -gt 0 ] || batches=(1)
[ ${#models[@]} -gt 0 ] || models=(resnet18 resnet50 vgg11 densenet121 squeezenet1_0 googlenet mobilenet_v2 convnext_tiny vit_b_16)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

out=build/bench-forward
mkdir -p "$out"
results=$out/results.jsonl
: > "$results"
bench=build/tools/bench/modtrace-bench-forward
[ -x "$bench" ] || { echo "run.sh: $bench is missing: build first (tools/setup.sh)" >&2; exit 1; }

have_torch=false
/usr/bin/python3 -c "import torch, torchvision" 2>/dev/null && have_torch=true
have_ort=false
if [ ! -d build/bench-ort/node_modules/onnxruntime-node ] && command -v npm >/dev/null; then
  echo "# installing onnxruntime-node into build/bench-ort (benchmark peer only)" >&2
  npm install --prefix build/bench-ort --ignore-scripts --no-audit --no-fund onnxruntime-node >&2 || true
fi
[ -d build/bench-ort/node_modules/onnxruntime-node ] && command -v node >/dev/null && $have_torch && have_ort=true

# Runs a peer with a time limit; its JSON line goes to the results.
peer() { timeout 600 "$@" >> "$results" || echo "# $1 failed or timed out on: ${*: -1}" >&2; }

echo "# $(git rev-parse --short HEAD 2>/dev/null || echo '?'), OMP_NUM_THREADS=$OMP_NUM_THREADS, $runs runs" >&2
"$bench" --sgemm 1024 --runs "$runs" >> "$results"
for batch in "${batches[@]}"; do
  for m in "${models[@]}"; do
    echo "# $m, batch $batch" >&2
    peer "$bench" --runs "$runs" --batch "$batch" "$m"
    if $have_torch; then
      peer /usr/bin/python3 tools/bench/torch_forward.py --threads "$OMP_NUM_THREADS" --runs "$runs" --batch "$batch" "$m"
    fi
    if $have_ort; then
      file=$out/$m-batch$batch.onnx
      [ -f "$file" ] || /usr/bin/python3 tools/bench/torch_forward.py --batch "$batch" --export-onnx "$file" "$m" 2>/dev/null ||
        echo "# export of $m failed" >&2
      [ -f "$file" ] && ORT_DIR=build/bench-ort peer node tools/bench/ort_forward.mjs --threads "$OMP_NUM_THREADS" \
        --runs "$runs" --batch "$batch" "$m" "$file"
    fi
  done
done
python3 tools/bench/forward_table.py "$results"
