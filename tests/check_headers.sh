#!/usr/bin/env bash
# Each public header compiles on its own (it includes what it uses), with
# each compiler given (GCC, and Debian's clang, which the headers also
# promise: docs/building.md), and only
# the headers whose declarations need the Boost.Graph graph (the trace, and
# the analysis and repair reports that hold traces) include Boost.Graph:
# it is most of what including modtrace costs to compile, so reading files
# (io.hpp), drawing (render.hpp) or building models must not pay for it.
#
#   check_headers.sh CXX SOURCE_INCLUDE BUILD_INCLUDE [MORE_CXX...]
set -euo pipefail
cxx=$1 src=$2 build=$3
shift 3
more=("$@")
graph_headers=" trace.hpp analysis.hpp repair.hpp modtrace.hpp "
status=0 count=0
cd "$src/modtrace"
for header in *.hpp zoo/*.hpp; do
  count=$((count + 1))
  unit="#include \"modtrace/$header\""
  compiled=yes
  for compiler in "$cxx" "${more[@]}"; do
    if ! errors=$("$compiler" -std=c++20 -fsyntax-only -x c++ -I"$src" -I"$build" - <<< "$unit" 2>&1); then
      echo "modtrace/$header does not compile on its own with $compiler:"
      printf '%s\n' "$errors" | head -5
      status=1
      compiled=no
    fi
  done
  [ "$compiled" = yes ] || continue
  deps=$("$cxx" -std=c++20 -M -x c++ -I"$src" -I"$build" - <<< "$unit")
  uses_graph=no
  if grep 'boost/graph/' <<< "$deps" > /dev/null; then uses_graph=yes; fi
  case "$graph_headers" in
    *" $header "*) expected=yes ;;
    *) expected=no ;;
  esac
  if [ "$uses_graph" != "$expected" ]; then
    echo "modtrace/$header: includes Boost.Graph: $uses_graph, expected $expected"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "$count public headers compile alone (with $cxx ${more[*]}); Boost.Graph only in:$graph_headers"
exit "$status"
