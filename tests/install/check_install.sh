#!/usr/bin/env bash
# Builds and runs consumer.cpp the ways a user links modtrace, against a
# `meson install --destdir` of this build (or, for the subproject, the
# source tree itself):
#   pkg-config  a compiler command with `pkg-config --cflags --libs modtrace`
#   meson       a meson project's dependency('modtrace'), found by pkg-config
#   cmake       a CMake project's find_package(modtrace), target modtrace::modtrace
#   subproject  a debug meson project with modtrace in subprojects/: only the
#               library is built, and it is optimised
#   tool        the installed modtrace tool runs from its prefix, no LD_LIBRARY_PATH
# Usage: check_install.sh ROUTE BUILD_DIR SOURCE_DIR CXX
set -euo pipefail
route=$1 build=$2 source=$3 cxx=$4
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fail() { echo "check_install $route: $*" >&2; exit 1; }

# The consumer project, with consumer.cpp beside it (meson reads no file
# outside a project's folder).
work=$stage/work
mkdir -p "$work"
[ -d "$here/$route" ] && cp -r "$here/$route/." "$work/"
cp "$here/consumer.cpp" "$work/"
expect="18 4"

if [ "$route" = subproject ]; then
  mkdir -p "$work/subprojects"
  ln -s "$source" "$work/subprojects/modtrace"
  meson setup "$work/build" "$work" >"$stage/setup.log" 2>&1 || { cat "$stage/setup.log"; fail "meson setup failed"; }
  # Nothing of modtrace but its library (and the kernels linked into it):
  # no tool, tests, benchmarks or plugins.
  extra=$(meson introspect --targets "$work/build" | python3 -c '
import json, sys
print(" ".join(sorted(t["name"] + " (" + t["type"] + ")" for t in json.load(sys.stdin)
                      if t.get("subproject") == "modtrace" and not t["type"].endswith("library"))))')
  [ -z "$extra" ] || fail "the subproject builds more than its library: $extra"
  [ "$(meson introspect --tests "$work/build")" = "[]" ] || fail "the subproject adds tests to the parent's meson test"
  # The engine is optimised although the parent builds for debugging.
  flags=$(meson introspect --targets "$work/build" | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if t["name"] == "modtrace" and t["type"] == "shared library":
        print(" ".join(t["target_sources"][0]["parameters"]))')
  case " $flags " in *" -O2 "*) ;; *) fail "the subproject library is not built with -O2: $flags";; esac
  # One job: it runs beside the other tests.
  meson compile -C "$work/build" -j 1 >"$stage/build.log" 2>&1 || { tail -30 "$stage/build.log"; fail "build failed"; }
  got=$("$work/build/consumer")
  [ "$got" = "$expect" ] || fail "the consumer printed '$got', expected '$expect'"
  echo "subproject: ok ($got)"
  exit 0
fi

meson install -C "$build" --destdir "$stage/root" --no-rebuild --quiet
pc=$(find "$stage/root" -name modtrace.pc | head -n 1)
[ -n "$pc" ] || fail "no modtrace.pc was installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$stage/root   # the .pc names the final prefix; the files sit under the stage
libdir=$(pkg-config --libs-only-L modtrace | sed 's/^ *-L//; s/ *$//')

case $route in
  pkg-config)
    for header in modtrace/modtrace.hpp modtrace/tensor.hpp modtrace/zoo/seed.hpp modtrace/version.hpp; do
      find "$stage/root" -path "*/include/$header" | grep -q . || fail "header $header was not installed"
    done
    flags=$(pkg-config --cflags --libs modtrace)
    echo "pkg-config modtrace: $flags"
    # Only what the public headers need: no private library's requirement or include path.
    requires="$(pkg-config --print-requires modtrace) $(pkg-config --print-requires-private modtrace)"
    [ -z "${requires// /}" ] || fail "the .pc requires $requires, which the public headers do not need"
    case $flags in *eigen*|*nlohmann*|*onnx*|*dnnl*) fail "private dependencies leak into the flags: $flags";; esac
    # shellcheck disable=SC2086
    "$cxx" -std=c++20 -O1 "$work/consumer.cpp" $flags -o "$work/consumer"
    got=$(LD_LIBRARY_PATH=$libdir "$work/consumer")
    ;;
  meson)
    meson setup "$work/build" "$work" >"$stage/setup.log" 2>&1 || { cat "$stage/setup.log"; fail "meson setup failed"; }
    meson compile -C "$work/build" >"$stage/build.log" 2>&1 || { cat "$stage/build.log"; fail "build failed"; }
    got=$(LD_LIBRARY_PATH=$libdir "$work/build/consumer")
    ;;
  cmake)
    prefix=$(pkg-config --variable=prefix modtrace)   # with the stage in front
    cmake -S "$work" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" >"$stage/setup.log" 2>&1 ||
      { cat "$stage/setup.log"; fail "cmake configure failed"; }
    cmake --build "$work/build" >"$stage/build.log" 2>&1 || { cat "$stage/build.log"; fail "build failed"; }
    got=$("$work/build/consumer")   # CMake gives the imported library's folder as RPATH
    ;;
  tool)
    tool=$(find "$stage/root" -path "*/bin/modtrace" | head -n 1)
    [ -n "$tool" ] || fail "the tool was not installed"
    got=$(env -u LD_LIBRARY_PATH "$tool" --version)
    # The completion scripts and the man page, where bash-completion, zsh and man look.
    for file in share/bash-completion/completions/modtrace share/zsh/site-functions/_modtrace share/man/man1/modtrace.1; do
      [ -n "$(find "$stage/root" -path "*/$file")" ] || fail "$file was not installed"
    done
    expect=$(cd "$build" && meson introspect --projectinfo | python3 -c 'import json, sys; print("modtrace " + json.load(sys.stdin)["version"])')
    ;;
  *)
    fail "unknown route (pkg-config, meson, cmake, subproject, tool)"
    ;;
esac
[ "$got" = "$expect" ] || fail "printed '$got', expected '$expect'"
echo "$route: ok ($got)"
