#pragma once
// The memory budget: how many bytes of tensor storage the engine may hold at
// once, in this process, across threads.
//
// Every allocation of tensor storage (an op's output, a kernel's workspace, a
// parameter) is checked against the limit before it is made. Going over is an
// Error that says how much was asked, how much is held and the limit; an op
// adds its name, input shapes and module path, e.g.
//   in module 'features.0' (Conv2d), called at lib/zoo/vgg.cpp:30: conv2d:
//   cannot allocate [1, 64, 8000, 8000] (15.3 GiB): 15.3 GiB more than the
//   4.0 GiB already held would exceed the memory limit of 18.0 GiB ...
// instead of the operating system's out-of-memory killer or a bare
// std::bad_alloc. Weights viewed from a mapped .safetensors file are the
// file's pages, not counted; meta tensors (shape-only traces) hold nothing.
//
//   modtrace::set_memory_limit(8LL << 30);          // or: modtrace --max-memory 8G ...
//   modtrace::set_memory_limit(modtrace::parse_byte_size("50%"));

#include <cstdint>
#include <string>
#include <string_view>
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

// The default: three quarters of the memory this process may use (physical
// memory, or the cgroup's memory.max when that is lower, as in a container).
int64_t default_memory_limit();

// The current limit in bytes (the default until set).
int64_t memory_limit();
// Sets the limit; throws Error unless bytes > 0. Tensors already held stay.
void set_memory_limit(int64_t bytes);

// Bytes of tensor storage held now, and the most held since the last reset.
int64_t memory_in_use();
int64_t peak_memory_in_use();
void reset_peak_memory_in_use();

// Freed tensor storage of 64 KiB or more is kept, up to 256 MiB (and at
// most a quarter of the limit), for the next tensor of the same size: a
// forward's intermediates then reuse memory instead of taking fresh pages
// from the system at every op (MobileNetV2 16 -> 10 ms). Kept bytes are
// not in memory_in_use(); they are given back when the system refuses an
// allocation, or on request. (Off in AddressSanitizer builds.) A block
// holds a storage's elements and its header (the shared reference counts,
// under 256 bytes), so memory_cached() counts both.
int64_t memory_cached();
void release_cached_memory();

// "8G", "512M", "1.5GiB", "2048" (bytes), "75%" (of the memory default_memory_limit
// reads); K, M, G, T are powers of 1024, with or without "iB"/"B". Throws
// Error naming the text and the accepted forms.
int64_t parse_byte_size(std::string_view text);

// "1.5 GiB", "512 MiB", "312 B".
std::string format_bytes(int64_t bytes);

}  // namespace modtrace
MODTRACE_PUBLIC_END
