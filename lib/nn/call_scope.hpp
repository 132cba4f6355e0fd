#pragma once
// Internal: the scope Module::call opens around forward.
//
// It keeps the thread's stack of module calls (so an error can say which
// module it happened in) and is the tracer's hook for recording module calls.
// RAII: an exception unwinds it like a normal return.

#include "modtrace/module.hpp"

namespace modtrace::detail {

class Recorder;

class ModuleCallScope {
 public:
  ModuleCallScope(const Module& module, const Tensors& inputs, const SourceLocation& where, bool tuple_argument);
  ~ModuleCallScope();
  ModuleCallScope(const ModuleCallScope&) = delete;
  ModuleCallScope& operator=(const ModuleCallScope&) = delete;

  // The forward returned these; without this call the scope ends as failed.
  void finish(const Tensors& outputs);

 private:
  Recorder* recorder_;  // the session active when the call began
  int call_ = -1;       // its record in that session
  bool finished_ = false;
};

}  // namespace modtrace::detail
