#!/usr/bin/env bash
# The tests that run threads, under ThreadSanitizer, in build-tsan/: several
# threads tracing different models while another runs a shared model
# untraced, trace sessions on several threads, the memory budget's counter
# shared by threads. OpenMP is off (-Dopenmp=disabled, and oneDNN, which runs
# on it, -Donednn=disabled): libgomp is not built
# with TSan, so its barriers would be reported as races; the kernels' own
# threading is covered by the ASan run. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build-tsan/build.ninja ]; then
  meson setup build-tsan -Db_sanitize=thread -Dopenmp=disabled -Donednn=disabled -Doptimization=1 >/dev/null ||
    { echo "0 passed, 1 failed"; exit 1; }
fi
meson compile -C build-tsan tests/modtrace_tests || { echo "tsan: build failed"; echo "0 passed, 1 failed"; exit 1; }
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# Every test case whose name speaks of threads or sessions.
build-tsan/tests/modtrace_tests --test-case='*thread*,*session*' --no-version
status=$?
[ "$status" -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $status
