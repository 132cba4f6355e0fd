// A counter-based generator: draw n is splitmix64(seed, n). Filling a tensor
// reserves a block of counters and computes them in parallel, so
// initialising a 100M-parameter model takes a fraction of a second, and the
// same sequence of calls after manual_seed gives the same numbers.

#include "core/random.hpp"

#include "modtrace/functional.hpp"  // manual_seed: declared there, exported from there

#include <atomic>
#include <cmath>

#include "core/deterministic.hpp"
#include "core/parallel.hpp"

namespace modtrace {
namespace {

std::atomic<uint64_t> current_seed{0};
std::atomic<uint64_t> next_counter{0};

// Uniform in [0, 1) with 53 random bits.
double uniform_at(uint64_t seed, uint64_t n) {
  const uint64_t z = detail::splitmix64(detail::splitmix64(seed) ^ n);
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

}  // namespace

void manual_seed(uint64_t seed) {
  current_seed.store(seed);
  next_counter.store(0);
}

namespace detail {

double next_uniform() { return uniform_at(current_seed.load(), next_counter.fetch_add(1)); }

void fill_uniform(float* out, int64_t count, double low, double high) {
  if (count <= 0) return;
  const uint64_t seed = current_seed.load();
  const uint64_t base = next_counter.fetch_add(static_cast<uint64_t>(count));
  const double span = high - low;
  parallel_for(count, count, [&](int64_t i) {
    out[i] = static_cast<float>(low + span * uniform_at(seed, base + static_cast<uint64_t>(i)));
  });
}

void fill_normal(float* out, int64_t count) {
  if (count <= 0) return;
  const uint64_t seed = current_seed.load();
  const uint64_t base = next_counter.fetch_add(2 * static_cast<uint64_t>(count));
  parallel_for(count, count, [&](int64_t i) {
    const double u1 = 1.0 - uniform_at(seed, base + 2 * static_cast<uint64_t>(i));  // (0, 1]: log is finite
    const double u2 = uniform_at(seed, base + 2 * static_cast<uint64_t>(i) + 1);
    out[i] = static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2));
  });
}

}  // namespace detail
}  // namespace modtrace
