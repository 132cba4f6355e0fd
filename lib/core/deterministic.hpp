#pragma once
// Internal: the deterministic number rule of ../shared/reference/make_reference.py
//   u(key, i) = (splitmix64((fnv1a32(key) << 32) | i) >> 40) / 2^24, in [0, 1)
// Any implementation following it gets bit-identical weights and inputs.

#include <cstdint>
#include <string_view>

namespace modtrace::detail {

constexpr uint32_t fnv1a32(std::string_view text) {
  uint32_t h = 0x811C9DC5u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x01000193u;
  }
  return h;
}

constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  uint64_t z = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// u in [0, 1), exact in double (24 significant bits).
constexpr double deterministic_uniform(uint32_t key_hash, uint64_t index) {
  const uint64_t z = splitmix64((static_cast<uint64_t>(key_hash) << 32) | index);
  return static_cast<double>(z >> 40) / static_cast<double>(1u << 24);
}

}  // namespace modtrace::detail
