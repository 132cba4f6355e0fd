// libFuzzer's entry point for one harness, chosen at compile time
// (-DMODTRACE_FUZZ_TARGET=shape): tests/fuzz/meson.build builds one binary each.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "modtrace/error.hpp"
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    fuzz::MODTRACE_FUZZ_TARGET(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const modtrace::Error&) {
    // a clean refusal
  }
  return 0;
}
