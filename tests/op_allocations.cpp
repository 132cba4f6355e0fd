// What an op costs besides its arithmetic, counted rather than timed: heap
// allocations. A tensor's shape and an op's short attribute lists are held
// inline, and a storage's elements share one block with its reference
// counts, so an untraced element-wise op allocates once: its output. A
// binary of its own, because it replaces the global operator new to count.

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "modtrace/modtrace.hpp"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t bytes) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(bytes == 0 ? 1 : bytes)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t bytes, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(a, (bytes + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
// The replacements pair malloc with free, which GCC cannot see through.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

using namespace modtrace;

namespace {
// Heap allocations `body` makes.
template <class Body>
long allocations_of(Body&& body) {
  const long before = g_allocations.load();
  body();
  return g_allocations.load() - before;
}
}  // namespace

TEST_CASE("an untraced element-wise op allocates only its output's block") {
  const Tensor x = Tensor::ones({2, 3, 4, 5});
  Tensor y;
  (void)allocations_of([&] { y = x * 2.0; });  // first call: lazily built tables
  CHECK(allocations_of([&] { y = x * 2.0; }) == 1);
  CHECK(allocations_of([&] { y = x + x; }) == 1);
  CHECK(allocations_of([&] { y = F::relu(x); }) == 1);
  CHECK(y.at({1, 2, 3, 4}) == 1.0f);
}

TEST_CASE("a large tensor's elements share the block of their reference counts") {
  Tensor big = Tensor::empty({64, 64, 64});  // first call: the block cache's own table
  big = Tensor();
  release_cached_memory();
  CHECK(allocations_of([&] { big = Tensor::empty({64, 64, 64}); }) == 1);  // 1 MiB, 64-byte aligned
  CHECK(reinterpret_cast<uintptr_t>(big.data()) % 64 == 0);
}

TEST_CASE("copying a tensor or its shape allocates nothing up to five dimensions") {
  const Tensor x = Tensor::zeros({1, 2, 3, 4, 5});
  CHECK(allocations_of([&] {
          const Tensor copy = x;
          const Shape shape = copy.shape();
          CHECK(shape.size() == 5);
        }) == 0);
  const Tensor six = Tensor::zeros({1, 1, 1, 1, 1, 2});
  CHECK(allocations_of([&] { const Tensor copy = six; }) == 1);  // six sizes: on the heap
}

TEST_CASE("a view shares its source's block: no allocation for the elements") {
  const Tensor x = Tensor::ones({4, 6});
  Tensor v;
  CHECK(allocations_of([&] { v = x.view({2, 12}); }) == 0);
  CHECK(v.shares_storage_with(x));
}
