#pragma once
// The fuzz harnesses: each takes any bytes and must return normally or throw
// modtrace::Error; anything else (a crash, a sanitizer report, another
// exception: an invariant the harness checks did not hold) is a finding.
//
// Each runs in two places: as a libFuzzer target (fuzz_main.cpp, built with
// `meson setup -Dfuzzers=true` by tools/fuzz.sh) and, over its seed corpus
// in tests/fuzz/corpus/<name>/, in the regular test suite
// (tests/test_fuzz_corpora.cpp), so the corpora are replayed on every build.

#include <stdexcept>
#include <string>
#include <string_view>

namespace fuzz {

// Thrown when a harness's invariant does not hold: not a modtrace::Error,
// so neither the fuzzer nor the corpus test takes it for a clean refusal.
struct InvariantBroken : std::logic_error {
  using std::logic_error::logic_error;
};

void safetensors(std::string_view bytes);
void onnx(std::string_view bytes);
void shape(std::string_view bytes);
void byte_size(std::string_view bytes);
void module_path(std::string_view bytes);

}  // namespace fuzz
