#!/usr/bin/env bash
# Builds the safetensors fuzzer with clang's libFuzzer, ASan and UBSan, and
# runs it for SECONDS (default 60) from the PyTorch-written file as seed.
#   tests/fuzz/build.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${TMPDIR:-/tmp}/modtrace-fuzz
mkdir -p "$out/corpus"
cp tests/reference/squeezenet1_0.safetensors "$out/corpus/"
# The whole library but the parts that need Eigen kernels' OpenMP or dlopen is not needed: link what parse() uses.
sources=(lib/io/safetensors.cpp lib/core/*.cpp lib/ops/*.cpp lib/trace/recorder.cpp lib/trace/trace.cpp
         lib/nn/module.cpp lib/nn/containers.cpp)
clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fopenmp -Iinclude -Ilib -isystem /usr/include/eigen3 \
  tests/fuzz/fuzz_safetensors.cpp "${sources[@]}" -o "$out/fuzz_safetensors"
"$out/fuzz_safetensors" -max_total_time="${1:-60}" -rss_limit_mb=4096 "$out/corpus"
