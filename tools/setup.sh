#!/usr/bin/env bash
# From a fresh Debian 12 machine to the main job: installs the packages,
# builds modtrace (optimised) and runs the main job: the children-only
# analysis of the seed example, printed and drawn to seed_diff.svg.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build
meson compile -C build

echo
# The main job: what nn.Sequential(*model.children()) loses on the seed example.
build/tools/modtrace diff seed_main_model -o seed_diff.svg
