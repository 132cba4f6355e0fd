#pragma once
// Internal: what a trace's nodes and calls point to, built while recording
// and immutable after. Everything lives at a fixed address (chunks and
// arena blocks never move what they hold), so nodes keep plain pointers,
// valid while any copy of the Trace lives. Finding an equal shape, attribute
// set or text to share is the recorder's job (its indexes die with it).

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "modtrace/trace.hpp"

namespace modtrace::detail {

// Text stored back to back: a name costs its bytes and a 4-byte length, not
// a std::string and a heap block of its own. While recording, blocks double
// from 256 bytes to 64 KiB; compact() then leaves one block of the exact size.
class TextArena {
 public:
  // A stable copy of `text` (NULs and all); read it back with view().
  const char* add(std::string_view text);
  // The text add() returned `p` for; "" for nullptr.
  static std::string_view view(const char* p) {
    if (p == nullptr) return {};
    uint32_t length = 0;
    std::memcpy(&length, p - sizeof length, sizeof length);
    return {p, length};
  }
  // Moves every text into one block of the size used (the last block of a
  // doubling arena is half empty on average). `relocate_all` is called with
  // a function giving the new place of a pointer add() returned, and must
  // update every such pointer there is; then the old blocks are freed.
  template <class RelocateAll>
  void compact(RelocateAll&& relocate_all);

 private:
  struct Block {
    std::unique_ptr<char[]> bytes;
    size_t used = 0;
    size_t capacity = 0;
  };
  std::vector<Block> blocks_;
};

template <class RelocateAll>
void TextArena::compact(RelocateAll&& relocate_all) {
  if (blocks_.size() == 1 && blocks_[0].used == blocks_[0].capacity) return;
  Block merged;
  for (const Block& b : blocks_) merged.capacity += b.used;
  merged.bytes = std::make_unique_for_overwrite<char[]>(std::max<size_t>(merged.capacity, 1));
  std::vector<size_t> offsets;
  for (const Block& b : blocks_) {
    offsets.push_back(merged.used);
    if (b.used > 0) std::memcpy(merged.bytes.get() + merged.used, b.bytes.get(), b.used);
    merged.used += b.used;
  }
  // A text starts after its length, so it lies in (block start, block end].
  auto moved = [&](const char* p) -> const char* {
    if (p == nullptr) return p;
    const auto at = reinterpret_cast<uintptr_t>(p);
    for (size_t i = 0; i < blocks_.size(); ++i) {
      const auto start = reinterpret_cast<uintptr_t>(blocks_[i].bytes.get());
      if (at > start && at <= start + blocks_[i].used) return merged.bytes.get() + offsets[i] + (at - start);
    }
    return p;  // not this arena's: left as it is
  };
  relocate_all(moved);
  blocks_.clear();
  blocks_.push_back(std::move(merged));
}

// Values appended in chunks that never move, doubling from 4 to 1024 items:
// like a deque without the deque's fixed cost (a map and a 512-byte block
// allocated even when empty, which would dominate a small trace).
template <class T>
class Chunks {
 public:
  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (used_ == capacity_) {
      capacity_ = capacity_ == 0 ? 4 : std::min<size_t>(capacity_ * 2, 1024);
      chunks_.push_back(std::make_unique<T[]>(capacity_));
      used_ = 0;
    }
    T& slot = chunks_.back()[used_++];
    slot = T(std::forward<Args>(args)...);
    return slot;
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t used_ = 0;
  size_t capacity_ = 0;
};

// What few nodes have.
struct NodeDetails {
  const char* origin = nullptr;                         // in the arena
  const char* error = nullptr;                          // in the arena
  const std::vector<Shape>* output_shapes = nullptr;    // several outputs
  const Tensor* constant = nullptr;                     // a constant's value
};

struct TraceStore {
  TextArena text;
  Chunks<Shape> shapes;
  Chunks<Attrs> attribute_sets;
  Chunks<NodeDetails> details;
  Chunks<std::vector<Shape>> output_shape_lists;
  Chunks<Tensor> constants;
  // Module calls: every call's inputs and outputs in one array (a call's are
  // contiguous), their slots beside; kept input values by call index.
  std::vector<Vertex> call_values;
  std::vector<int> call_slots;
  std::vector<Tensors> kept_values;
};

}  // namespace modtrace::detail
