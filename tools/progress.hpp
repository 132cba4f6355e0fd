#pragma once
// Progress of long work on stderr, one line rewritten in place: the stage
// ("tracing ResNet", "tracing the children-only Sequential", "drawing
// resnet50.svg"), the child of the model being called with its position
// among the children, and the time since the command started:
//
//   modtrace: tracing the children-only Sequential: layer3 (7/10), 1.4 s
//
// Shown when stderr is a terminal (--progress auto, the default) or always
// (--progress always); never otherwise, so pipes, files and CI logs get no
// control characters. The line is erased before anything else is printed.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "modtrace/module.hpp"

namespace modtrace::tool {

class Progress {
 public:
  // "auto", "always" or "never".
  void configure(std::string_view when);

  // A new stage: shown at once.
  void stage(std::string text);
  // Child `index` (0-based) of `total` is being called. Every call is
  // drawn: a forward calls the root's children a few times each (an
  // imported ONNX model's thousand nodes make a few hundred kilobytes of
  // redraws, nothing to a terminal), and the line then always says which
  // child the work is in.
  void child(std::string_view name, size_t index, size_t total);
  // Erases the line (nothing when none is shown).
  void clear();

  // Reports each call of a child of `model` (forward pre-hooks, removed by
  // the returned guard's destruction), in the model and in any Sequential
  // sharing those children.
  class Watch {
   public:
    Watch() = default;
    Watch(Watch&&) = default;
    Watch& operator=(Watch&&) = default;
    ~Watch();

   private:
    friend class Progress;
    std::vector<HookHandle> hooks_;
  };
  Watch watch_children(Module& model);

  bool enabled() const { return enabled_; }

 private:
  void draw();

  bool enabled_ = false;
  std::string stage_;
  std::string child_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// The tool's one progress line.
Progress& progress();

}  // namespace modtrace::tool
