#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and
# UBSan in build-fuzz/ and runs each for SECONDS (default 60) from its seed
# corpus, growing a scratch copy so the repository's seeds stay small:
#   tools/fuzz.sh [SECONDS] [TARGET ...]      (targets: safetensors onnx shape byte_size module_path)
# A finding (crash, sanitizer report, broken invariant, timeout, leak) leaves
# its input in $TMPDIR/modtrace-fuzz/<target>/ and fails that target. Ends
# with "N passed, N failed" (one per target) like tools/test.sh; CI runs it
# briefly (.ci/run), docs/reliability.md holds the last long run's figures.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors onnx shape byte_size module_path)

if [ ! -f build-fuzz/build.ninja ]; then
  # The library is compiled with coverage for libFuzzer (fuzzer-no-link);
  # only the fuzz binaries link libFuzzer's main. -O1 as sanitize.sh.
  CXX=clang++ meson setup build-fuzz -Dfuzzers=true -Dtests=false -Db_sanitize=address,undefined \
    -Db_lundef=false -Doptimization=1 -Dcpp_args=-fsanitize=fuzzer-no-link >/dev/null ||
    { echo "fuzz: meson setup failed (needs Debian's clang and libclang-rt-14-dev)"; echo "0 passed, 1 failed"; exit 1; }
fi
if ! meson compile -C build-fuzz $(printf 'fuzz_%s ' "${targets[@]}"); then
  echo "fuzz: build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# Where each target starts: its seeds in the repository (ONNX: the PyTorch
# exports and the broken files the tests use; safetensors: also the
# PyTorch-written file).
seeds_of() {
  case "$1" in
    onnx) echo tests/reference/onnx/patterns tests/reference/onnx/bad ;;
    safetensors) echo tests/fuzz/corpus/safetensors tests/reference/squeezenet1_0.safetensors ;;
    *) echo "tests/fuzz/corpus/$1" ;;
  esac
}

export ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=${TMPDIR:-/tmp}/modtrace-fuzz
passed=0 failed=0
for target in "${targets[@]}"; do
  dir=$work/$target
  rm -rf "$dir" && mkdir -p "$dir/corpus" "$dir/findings"
  for seed in $(seeds_of "$target"); do
    if [ -d "$seed" ]; then cp "$seed"/* "$dir/corpus/"; else cp "$seed" "$dir/corpus/"; fi
  done
  echo "fuzz: $target for ${seconds}s"
  if build-fuzz/tests/fuzz/fuzz_"$target" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 \
       -artifact_prefix="$dir/findings/" -print_final_stats=1 "$dir/corpus" >"$dir/log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$dir/log" | tail -2
    echo "fuzz: $target: no finding ($(ls "$dir/corpus" | wc -l) inputs in the corpus)"
    passed=$((passed + 1))
  else
    tail -40 "$dir/log"
    echo "fuzz: $target: FINDING, input in $dir/findings/"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
