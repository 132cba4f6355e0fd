#!/usr/bin/env bash
# Builds a fuzzer with clang's libFuzzer, ASan and UBSan and runs it for
# SECONDS (default 60):
#   tests/fuzz/build.sh [safetensors|onnx] [SECONDS]
# safetensors starts from the PyTorch-written file; onnx from the PyTorch
# exports in tests/reference/onnx (patterns and the broken files).
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:-safetensors}
seconds=${2:-60}
out=${TMPDIR:-/tmp}/modtrace-fuzz-$target
mkdir -p "$out/corpus"
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fopenmp -Iinclude -Ilib -isystem /usr/include/eigen3)
case "$target" in
  safetensors)
    cp tests/reference/squeezenet1_0.safetensors "$out/corpus/"
    # Only what parse() uses: no zoo, no analysis, no importer.
    sources=(lib/io/safetensors.cpp lib/core/*.cpp lib/ops/*.cpp lib/trace/recorder.cpp lib/trace/trace.cpp
             lib/nn/module.cpp lib/nn/containers.cpp)
    libs=()
    ;;
  onnx)
    cp tests/reference/onnx/patterns/*.onnx tests/reference/onnx/bad/*.onnx "$out/corpus/"
    sources=(lib/import/*.cpp lib/core/*.cpp lib/ops/*.cpp lib/trace/*.cpp lib/nn/*.cpp lib/nn/layers/*.cpp)
    flags+=(-DONNX_NAMESPACE=onnx -DONNX_ML=1)
    libs=(-lonnx_proto -lprotobuf)
    ;;
  *) echo "usage: tests/fuzz/build.sh [safetensors|onnx] [SECONDS]" >&2; exit 2 ;;
esac
clang++ "${flags[@]}" "tests/fuzz/fuzz_$target.cpp" "${sources[@]}" "${libs[@]}" -o "$out/fuzz_$target"
"$out/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 "$out/corpus"
