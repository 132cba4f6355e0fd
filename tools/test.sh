#!/usr/bin/env bash
# Builds modtrace if needed, runs every test, and ends with "N passed, N failed"
# (doctest cases, plus one per non-doctest test such as the install check).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build/build.ninja ]; then
  meson setup build || { echo "0 passed, 1 failed"; exit 1; }
fi
if ! meson compile -C build; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
meson test -C build --print-errorlogs "$@"
status=$?
python3 tools/count_tests.py build/meson-logs/testlog.json || { echo "0 passed, 1 failed"; exit 1; }
exit $status
