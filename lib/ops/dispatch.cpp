// dispatch(): the one path every op takes. It reads the op table, checks
// shapes through the op's rule, runs its kernel (views alias, in-place ops
// write input 0, meta tensors skip arithmetic) and, when a trace is active,
// records the node.

#include <algorithm>
#include <new>
#include <string>

#include "core/memory_budget.hpp"
#include "core/tensor_internals.hpp"
#include "modtrace/memory.hpp"
#include "ops/op_call.hpp"
#include "trace/recorder.hpp"

namespace modtrace::detail {

void OpCall::fail(const std::string& problem) const {
  const OpInfo& info = op_info(op);
  std::string got;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]->defined()) continue;
    const std::string name = info.max_inputs < 0
                                 ? std::string(info.input_names[0]) + "[" + std::to_string(i) + "]"
                                 : std::string(info.input_names[std::min<size_t>(i, 4)]);
    got += (got.empty() ? "" : ", ") + name + " " + to_string(inputs[i]->shape());
  }
  throw Error(std::string(info.name) + ": " + problem + (got.empty() ? "" : " (got " + got + ")"));
}

namespace {

// Arity and required inputs, before any rule runs.
void check_inputs(const OpInfo& info, const OpCall& call) {
  const auto n = static_cast<int>(call.inputs.size());
  if (n < info.min_inputs || (info.max_inputs >= 0 && n > info.max_inputs)) {
    call.fail("takes " + std::to_string(info.min_inputs) +
              (info.max_inputs < 0 ? " or more" : " to " + std::to_string(info.max_inputs)) + " tensor inputs, got " +
              std::to_string(n));
  }
  const int required = info.max_inputs < 0 ? n : info.min_inputs;
  for (int i = 0; i < required; ++i) {
    if (!call.inputs[i]->defined()) {
      call.fail("input '" + std::string(info.input_names[std::min(i, 4)]) + "' is an undefined tensor");
    }
  }
}

bool any_meta(const OpCall& call) {
  return std::any_of(call.inputs.begin(), call.inputs.end(), [](const Tensor* t) { return t->is_meta(); });
}

// In-place: the result must keep input 0's shape, and input 0 must be a
// tensor whose writes PyTorch would not send elsewhere.
void check_writable(const OpCall& call, const Shape& shape) {
  const Tensor& target = call.input(0);
  if (const std::string_view op = target.copied_view_op(); !op.empty()) {
    call.fail("cannot write in place to the result of " + std::string(op) +
              ": PyTorch returns a view there, so the write would also change the tensor it came from, but "
              "modtrace made a copy. Write out of place (x = x + y), or clone() first if the other tensor must "
              "not change");
  }
  if (shape != target.shape()) {
    call.fail("output with shape " + to_string(target.shape()) + " doesn't match the broadcast shape " +
              to_string(shape));
  }
}

void mark(const OpInfo& info, Tensor& out) {
  if (info.writes == Writes::copy_of_view) TensorInternals::mark_copied_view(out, info.name.data());
}

// Meta outputs when an input is meta, and for every op of a shape-only trace:
// an op reading only parameters (a weight transposed in the forward) then
// costs nothing either.
bool shape_only_now(const OpCall& call) {
  const Recorder* recorder = tls_recorder;
  return any_meta(call) || (recorder != nullptr && recorder->shape_only());
}

// The error names the line of the op; a trace keeps the op that stopped the
// forward. Both cost nothing unless thrown.
[[noreturn]] void rethrow_recorded(Error& e, const OpCall& call, const SourceLocation& where) {
  e.set_source(source_text(where));
  if (Recorder* recorder = tls_recorder) recorder->record_failed_op(call, e, where);
  throw;
}

// Runs an op's checks, allocations and kernel. An allocation the memory
// budget or the system refuses becomes an error of this op, naming its
// input shapes (and, through the module call, its module path).
template <class Body>
void run_guarded(const OpCall& call, const SourceLocation& where, Body&& body) {
  try {
    try {
      body();
    } catch (const MemoryError& e) {
      call.fail(e.message());
    } catch (const std::bad_alloc&) {
      call.fail("out of memory while computing (the system refused an allocation below the memory limit of " +
                format_bytes(memory_limit()) + ")");
    }
  } catch (Error& e) {
    rethrow_recorded(e, call, where);
  }
}

}  // namespace

Tensor dispatch(Op op, std::span<const Tensor* const> inputs, const Attrs& attrs, const SourceLocation& where) {
  const OpInfo& info = op_info(op);
  const OpCall call{op, inputs, attrs};
  Tensor out;
  run_guarded(call, where, [&] {
    check_inputs(info, call);
    Shape shape = info.shape_rule(call);
    const bool meta = shape_only_now(call);
    if (info.writes == Writes::input_in_place) {
      check_writable(call, shape);
      out = inputs[0]->alias(std::move(shape));
      if (!meta) info.kernel(call, out);
    } else if (info.kernel == nullptr) {
      out = inputs[0]->alias(std::move(shape));
    } else if (meta) {
      out = Tensor::meta(std::move(shape));
    } else {
      out = Tensor::empty(std::move(shape));
      info.kernel(call, out);
    }
    mark(info, out);
  });
  if (Recorder* recorder = tls_recorder) [[unlikely]] {
    recorder->record_op(call, {&out, 1}, where);
  }
  return out;
}

Tensors dispatch_many(Op op, std::span<const Tensor* const> inputs, const Attrs& attrs, const SourceLocation& where) {
  const OpInfo& info = op_info(op);
  const OpCall call{op, inputs, attrs};
  Tensors outs;
  run_guarded(call, where, [&] {
    check_inputs(info, call);
    std::vector<Shape> shapes = info.shapes_rule(call);
    const bool meta = shape_only_now(call);
    outs.reserve(shapes.size());
    for (Shape& shape : shapes) outs.push_back(meta ? Tensor::meta(std::move(shape)) : Tensor::empty(std::move(shape)));
    if (!meta) info.kernel_many(call, outs);
    for (Tensor& out : outs) mark(info, out);
  });
  if (Recorder* recorder = tls_recorder) [[unlikely]] {
    recorder->record_op(call, outs, where);
  }
  return outs;
}

}  // namespace modtrace::detail
