// libFuzzer harness for the safetensors parser: any bytes must parse or
// throw modtrace::Error, never crash, leak or read out of bounds. Not part of
// the build (it needs clang's libFuzzer); run it with tests/fuzz/build.sh.

#include <cstddef>
#include <cstdint>
#include <string>

#include "modtrace/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    modtrace::safetensors::parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const modtrace::Error&) {
  }
  return 0;
}
