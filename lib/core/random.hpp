#pragma once
// Internal: the generator behind training-mode dropout and default layer
// initialisation, seeded by modtrace::manual_seed (like torch.manual_seed).

#include <cstdint>

namespace modtrace::detail {

// Uniform in [0, 1). Thread-safe; the sequence of draws is reproducible after manual_seed.
double next_uniform();
// Fills `count` values uniform in [low, high) (in parallel for large counts).
void fill_uniform(float* out, int64_t count, double low, double high);
// Fills `count` values drawn from N(0, 1) (Box-Muller on pairs of uniform draws).
void fill_normal(float* out, int64_t count);

}  // namespace modtrace::detail
