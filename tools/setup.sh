#!/usr/bin/env bash
# From a fresh Debian 12 machine to the main job: installs the packages,
# builds modtrace (optimised) and runs the seed example through the tool.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build
meson compile -C build

echo
echo "== MainModel: block_1(block_0(x) * 3 + 3) on ones(2, 2) =="
build/tools/modtrace run seed_main_model
echo "== nn.Sequential(*model.children()) on the same input =="
build/tools/modtrace run seed_main_model --children
