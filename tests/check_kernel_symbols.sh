#!/usr/bin/env bash
# Each instruction set's build of the matrix product and the depthwise
# convolution defines nothing global outside its own names
# (lib/kernels/gemm_isa.cpp): a weak symbol there under
# a shared name (a std:: template, an Eigen routine left un-renamed) could be
# the one copy the linker keeps for the whole library, putting AVX-512
# instructions on a path every CPU runs. A symbol that mentions the build's
# own names (Eigen renamed modtrace_eigen_isa_<set>, or
# modtrace::detail::isa_<set>) is that build's alone. The lock of
# parallel_for's named OpenMP critical section (core/parallel.hpp) is data,
# one shared by every build on purpose.
#
#   check_kernel_symbols.sh NM SET LIBRARY.a
set -euo pipefail
nm=$1 isa=$2 lib=$3
symbols=$("$nm" --defined-only -C "$lib" | awk '$2 ~ /^[A-Zu]$/' | cut -d' ' -f3-)
total=$(printf '%s\n' "$symbols" | grep -c . || true)
foreign=$(printf '%s\n' "$symbols" | grep -v -e "modtrace_eigen_isa_$isa::" -e "modtrace::detail::isa_$isa::" \
  -e '^DW\.ref\.__gxx_personality_v0$' -e '^\.gomp_critical_user_modtrace_parallel_error$' | grep . || true)
if [ "$total" -eq 0 ]; then
  echo "$lib: no global symbol at all (is it the $isa build?)"
  exit 1
fi
if [ -n "$foreign" ]; then
  echo "$lib: global symbols outside the $isa build's own names:"
  printf '%s\n' "$foreign" | head -20
  exit 1
fi
echo "$lib: $total global symbols, every one the $isa build's own"
