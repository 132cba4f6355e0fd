#!/usr/bin/env bash
# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer,
# in its own build folder (build-asan/). Ends with "N passed, N failed" like
# tools/test.sh; CI runs both. Extra arguments go to `meson test`.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build-asan/build.ninja ]; then
  # -O1: sanitizer builds compile slowly; the checks do not need -O2.
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Doptimization=1 ||
    { echo "0 passed, 1 failed"; exit 1; }
fi
if ! meson compile -C build-asan; then
  echo "sanitizer build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
# allocator_may_return_null=1: the tests ask for absurd sizes on purpose.
# Tensor storage is refused by the memory budget before the allocator is
# asked, but other allocations (a kernel's Eigen temporaries, a file's
# contents) must still fail as std::bad_alloc, as with the real allocator,
# where ASan would abort: a sanitizer-only artefact, not a defect.
export ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1:abort_on_error=0
# Any undefined behaviour fails the test that hit it.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Every test but the per-model repair tests of the five largest models: under
# ASan they take 2-5 minutes each (ViT: over 5), which would double CI; the
# same code runs in the other models' repair tests and the unit tests. Nor
# the `isa=` suite: it reruns products and zoo parity once per instruction
# set, the same code as the suite above but for the GEMM's inner kernels,
# which ASan does not instrument differently per set; nor the built-in
# kernels' zoo parity (their products run). Nor the checks that run no
# modtrace code, only the compiler or nm on files (public headers, library
# exports, kernel symbols): the suite above ran them.
mapfile -t tests < <(meson test -C build-asan --list 2>/dev/null | grep -E '^[^ ]+:[^ ]+ / ' |
  grep -v -E '^modtrace:zoo / repair (vit_b_16|resnet50|vgg11|googlenet|convnext_tiny)$' |
  grep -v -E '^modtrace:unit / (public headers|library exports|kernel symbols .*)$' |
  grep -v -E '^modtrace:isa / ' |
  grep -v -E '^modtrace:kernels / kernels=builtin zoo_parity$' |
  sed -E 's|^[^ ]+ / ||')
meson test -C build-asan --print-errorlogs --timeout-multiplier 4 "$@" "${tests[@]}"
status=$?
python3 tools/count_tests.py build-asan/meson-logs/testlog.json || { echo "0 passed, 1 failed"; exit 1; }
exit $status
