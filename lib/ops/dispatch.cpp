// dispatch(): the one path every op takes. It reads the op table, checks
// shapes through the op's rule, runs its kernel (views alias, meta tensors
// skip arithmetic) and, when a trace is active, records the node.

#include <algorithm>
#include <string>

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

Tensor dispatch(Op op, std::span<const Tensor* const> inputs, const Attrs& attrs, const SourceLocation& where) {
  const OpInfo& info = op_info(op);
  const OpCall call{op, inputs, attrs};
  Tensor out;
  try {
    const auto n = static_cast<int>(inputs.size());
    if (n < info.min_inputs || (info.max_inputs >= 0 && n > info.max_inputs)) {
      call.fail("takes " + std::to_string(info.min_inputs) +
                (info.max_inputs < 0 ? " or more" : " to " + std::to_string(info.max_inputs)) +
                " tensor inputs, got " + std::to_string(n));
    }
    const int required = info.max_inputs < 0 ? n : info.min_inputs;
    for (int i = 0; i < required; ++i) {
      if (!inputs[i]->defined()) {
        call.fail("input '" + std::string(info.input_names[std::min(i, 4)]) + "' is an undefined tensor");
      }
    }
    const Shape shape = info.shape_rule(call);
    const bool any_meta = std::any_of(inputs.begin(), inputs.end(), [](const Tensor* t) { return t->is_meta(); });
    if (info.kernel == nullptr) {
      out = inputs[0]->alias(shape);
    } else if (any_meta) {
      out = Tensor::meta(shape);
    } else {
      out = Tensor::empty(shape);
      info.kernel(call, out);
    }
  } catch (Error& e) {
    // The error names the line of the op; a trace keeps the op that stopped
    // the forward. Both cost nothing unless thrown.
    e.set_source(source_text(where));
    if (Recorder* recorder = tls_recorder) recorder->record_failed_op(call, e, where);
    throw;
  }
  if (Recorder* recorder = tls_recorder) [[unlikely]] {
    recorder->record_op(call, out, where);
  }
  return out;
}

}  // namespace modtrace::detail
