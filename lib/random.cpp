#include "random.hpp"

#include <mutex>
#include <random>

#include "modtrace/functional.hpp"

namespace modtrace {
namespace {

std::mutex& generator_mutex() {
  static std::mutex m;
  return m;
}

std::mt19937_64& generator() {
  static std::mt19937_64 g(0);
  return g;
}

}  // namespace

void manual_seed(uint64_t seed) {
  std::lock_guard lock(generator_mutex());
  generator().seed(seed);
}

namespace detail {

double next_uniform() {
  std::lock_guard lock(generator_mutex());
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator());
}

void fill_uniform(float* out, int64_t count, double low, double high) {
  std::lock_guard lock(generator_mutex());
  std::uniform_real_distribution<double> dist(low, high);
  for (int64_t i = 0; i < count; ++i) out[i] = static_cast<float>(dist(generator()));
}

}  // namespace detail
}  // namespace modtrace
