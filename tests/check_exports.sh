#!/usr/bin/env bash
# The shared library exports its API and nothing else (modtrace/export.hpp):
# no symbol of what it uses inside (nlohmann json, Eigen, oneDNN's C++
# wrappers, ONNX and protobuf, its per-instruction-set kernels, anything in
# an anonymous namespace), and the API's own names are all there: classes
# with their type information (a consumer catches modtrace::Error and
# dynamic_casts modules), free functions, the functional ops.
#
#   check_exports.sh NM LIBRARY.so
set -euo pipefail
nm=$1 lib=$2
exports=$("$nm" -D --defined-only -C "$lib" | cut -d' ' -f3-)
total=$(printf '%s\n' "$exports" | grep -c . || true)
status=0

leaked=$(printf '%s\n' "$exports" | grep -E -e 'nlohmann::' -e 'Eigen::' -e 'modtrace_eigen_' -e '(^|[^_])dnnl::' \
  -e '(^|[^a-z_])onnx::' -e 'google::protobuf' -e 'modtrace::detail::isa_' -e '\(anonymous namespace\)' || true)
if [ -n "$leaked" ]; then
  echo "$lib exports $(printf '%s\n' "$leaked" | grep -c .) symbols of its internals, e.g.:"
  printf '%s\n' "$leaked" | head -10
  status=1
fi

for wanted in 'typeinfo for modtrace::Error' 'typeinfo for modtrace::Module' 'modtrace::Tensor::reshape(' \
  'modtrace::F::conv2d(' 'modtrace::trace_module(' 'modtrace::compare_children(' 'modtrace::library_version()' \
  'modtrace::Sequential::Sequential(' 'modtrace::zoo::create(' 'modtrace::import_onnx(' 'modtrace::render_dot('; do
  if ! grep -F -- "$wanted" <<< "$exports" > /dev/null; then
    echo "$lib does not export $wanted"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "$lib: $total exported symbols, none of them internal, the API's all there"
exit "$status"
