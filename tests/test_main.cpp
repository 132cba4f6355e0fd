// The tests' main: doctest's, except that a run asked to use an instruction
// set this CPU lacks (MODTRACE_ISA, the `isa=` tests of tests/meson.build) is
// skipped (exit 77, meson's "skipped") rather than failed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "modtrace/cpu.hpp"
#include "modtrace/error.hpp"

int main(int argc, char** argv) {
  if (const char* isa = std::getenv("MODTRACE_ISA"); isa != nullptr && *isa != '\0') {
    try {
      (void)modtrace::kernel_isa();
    } catch (const modtrace::Error& e) {
      if (std::string(e.what()).find("does not support") != std::string::npos) {
        std::cout << "skipped: " << e.what() << "\n";
        return 77;
      }
      throw;
    }
  }
  return doctest::Context(argc, argv).run();
}
