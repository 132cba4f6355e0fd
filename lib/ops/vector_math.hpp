#pragma once
// Internal: elementwise functions written so that the compiler vectorises
// the loops that call them (libm's erff and expf are scalar calls, which
// keep a loop from vectorising at all). Branch-free, float throughout.

#include <bit>
#include <cstdint>

namespace modtrace::detail {

// e^-y for y >= 0, within 1 ulp up to 87.3: Cephes' expf (-y = n ln 2 + r,
// |r| <= ln 2 / 2, a degree-6 polynomial for e^r, 2^n put into the exponent
// bits). Above 87.3, and for +inf and NaN, it gives about 1e-38 (the
// smallest normal float) instead of underflowing: callers multiply it by
// something small (and carry their NaN themselves), and n stays a valid
// int. The limit is applied to the bit pattern, an integer comparison: a
// float one (which may trap) keeps GCC from vectorising the loop.
inline float exp_minus(float y) {
  const int32_t limit = std::bit_cast<int32_t>(87.3f);
  const int32_t bits = std::bit_cast<int32_t>(y);  // non-negative floats order as their bits
  const float x = -std::bit_cast<float>(bits > limit ? limit : bits);
  // Round to nearest without a rounding instruction (baseline x86-64 has
  // none for vectors): adding 1.5 * 2^23 leaves the integer part in the mantissa.
  constexpr float kShift = 12582912.0f;
  const float n = (x * 1.44269504088896341f + kShift) - kShift;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;  // ln 2 in two parts: exact first product
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const auto exponent = static_cast<int32_t>(n) + 127;  // n >= -126: a normal power of two
  return p * std::bit_cast<float>(static_cast<uint32_t>(exponent) << 23);
}

// erf(x) as PyTorch's vectorised CPU kernels compute it (Vectorized<float>::erf,
// which its GELU uses): Abramowitz & Stegun 7.1.26, absolute error below
// 1.5e-7 in exact arithmetic, 6e-7 in float. Only the absolute error is small, so it
// serves GELU (x/2 (1 + erf(x/sqrt 2))), not erf of tiny values alone
// (erf_as(0) is 3e-8). NaN gives NaN, ±inf gives ±1.
inline float erf_as(float x) {
  const float sign = std::bit_cast<float>(std::bit_cast<uint32_t>(x) & 0x80000000u);
  const float a = std::bit_cast<float>(std::bit_cast<uint32_t>(x) & 0x7fffffffu);
  const float t = 1.0f / (0.3275911f * a + 1.0f);
  float r = 1.061405429f;
  r = r * t - 1.453152027f;
  r = r * t + 1.421413741f;
  r = r * t - 0.284496736f;
  r = r * t + 0.254829592f;
  const float y = 1.0f - r * t * exp_minus(a * a);
  return std::bit_cast<float>(std::bit_cast<uint32_t>(y) | std::bit_cast<uint32_t>(sign));
}

}  // namespace modtrace::detail
