#pragma once
// Internal: what the dispatcher sets on a tensor that users cannot.

#include "modtrace/tensor.hpp"

namespace modtrace::detail {

struct TensorInternals {
  // `op` is the op's name, a string literal from the op table.
  static void mark_copied_view(Tensor& t, const char* op) { t.copied_view_op_ = op; }
  // A tensor over storage someone else owns (a mapped file), kept alive by `data`.
  static Tensor with_storage(Shape shape, std::shared_ptr<float> data);
  // A kernel's scratch buffer: counted against the memory budget like any
  // tensor, and named "a workspace" when refused.
  static Tensor workspace(Shape shape);

  // Which storage a tensor views and how many times it was opened for
  // writing (data() or at() on a non-const tensor, which copy_ and every
  // in-place op go through): a kernel that keeps a converted copy of a
  // weight (oneDNN's layout) converts it again when the version moved.
  // `id` is null for a meta tensor.
  struct StorageStamp {
    const void* id = nullptr;
    uint64_t version = 0;
  };
  static StorageStamp storage_stamp(const Tensor& t);
  // Calls forget(id) when the storage of `t` is freed, so that a cache keyed
  // by it lets its copy go (one callback per storage).
  static void call_when_freed(const Tensor& t, void (*forget)(const void* id));
};

}  // namespace modtrace::detail
