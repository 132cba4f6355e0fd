#pragma once
// Internal: the accounting behind modtrace/memory.hpp. Tensor storage is
// reserved here before it is allocated and released when it is freed.

#include <cstdint>
#include <string>

#include "modtrace/error.hpp"
#include "modtrace/shape.hpp"

namespace modtrace::detail {

// An allocation the budget (or the system) refused. Still an Error for
// users; dispatch() tells it apart to add the op's name and input shapes.
class MemoryError : public Error {
 public:
  using Error::Error;
};

// Counts `bytes` against the limit, or throws MemoryError "cannot allocate
// <kind> <shape> (<size>): ..." naming the limit and what is held. The
// message is only built when thrown: this runs for every op.
void reserve_memory(int64_t bytes, const Shape& shape, const char* kind = "a tensor of shape");
void release_memory(int64_t bytes) noexcept;

}  // namespace modtrace::detail
