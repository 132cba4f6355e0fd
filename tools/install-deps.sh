#!/usr/bin/env bash
# Installs the Debian 12 packages modtrace needs to build, test and render.
# Idempotent and non-interactive: when everything is present it does nothing.
set -euo pipefail

packages=(
  g++ meson ninja-build pkg-config cmake python3   # toolchain (doctest is found through its CMake config)
  python3-jsonschema                                # tests: the JSON documents against docs/schemas/
  libeigen3-dev                                     # tensor kernels
  libdnnl-dev                                       # convolutions in oneDNN (meson option onednn)
  libboost-dev libboost-graph-dev                   # trace graph
  doctest-dev                                       # tests
  libcli11-dev nlohmann-json3-dev                   # the modtrace tool, JSON
  graphviz                                          # SVG and PNG rendering
  zsh groff-base bsdutils                           # tests: completion script syntax, the man page, script(1)
  chromium chromium-driver python3-selenium python3-pil  # tests: the HTML view in a headless browser
  libonnx-dev libprotobuf-dev                       # ONNX import (found through ONNX's CMake config)
  clang libclang-rt-14-dev                          # the fuzzers (tools/fuzz.sh: libFuzzer, CI's short runs)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo (missing: ${missing[*]})" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${missing[@]}"
