#!/usr/bin/env bash
# Installs modtrace into a scratch directory, then compiles and runs a
# program against the installed headers and library found through
# pkg-config — what a user linking modtrace does.
# Usage: check_install.sh BUILD_DIR CONSUMER_SOURCE CXX
set -euo pipefail
build=$1 source=$2 cxx=$3
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

meson install -C "$build" --destdir "$stage" --no-rebuild --quiet
pc=$(find "$stage" -name modtrace.pc | head -n 1)
[ -n "$pc" ] || { echo "no modtrace.pc was installed"; exit 1; }
for header in modtrace/modtrace.hpp modtrace/tensor.hpp modtrace/zoo/seed.hpp; do
  find "$stage" -path "*/include/$header" | grep -q . || { echo "header $header was not installed"; exit 1; }
done

export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$stage   # the .pc names the final prefix; the files sit under $stage
flags=$(pkg-config --cflags --libs modtrace)
echo "pkg-config modtrace: $flags"
# shellcheck disable=SC2086
"$cxx" -std=c++20 -O1 "$source" $flags -o "$stage/consumer"
libdir=$(pkg-config --libs-only-L modtrace | sed 's/^ *-L//; s/ *$//')
LD_LIBRARY_PATH=$libdir "$stage/consumer"
