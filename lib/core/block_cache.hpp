#pragma once
// Internal: freed tensor storage kept for the next allocation of the same
// size (modtrace/memory.hpp's memory_cached). A forward frees and allocates
// the same sizes over and over; without this, glibc hands large blocks back
// to the system and every forward pays for fresh pages (page faults and
// zeroing: 40 % of MobileNetV2's forward).

#include <cstddef>

namespace modtrace::detail {

// A kept block of exactly `bytes`, or null.
void* take_cached_block(size_t bytes) noexcept;
// Keeps `block` (of `bytes`) for later, or returns false: too small, the
// cache is full, or caching is off (AddressSanitizer builds, which must see
// every free). The caller then frees it.
bool keep_block(void* block, size_t bytes) noexcept;

}  // namespace modtrace::detail
