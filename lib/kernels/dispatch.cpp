// Choosing the instruction set of the kernels (modtrace/cpu.hpp): what this
// build compiled (MODTRACE_KERNELS_AVX2 / _AVX512 from lib/meson.build),
// what the CPU and OS support (cpuid, through the compiler's
// __builtin_cpu_supports, which also checks that the OS saves the wide
// registers), and MODTRACE_ISA.

#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "kernels/gemm.hpp"
#include "modtrace/cpu.hpp"
#include "modtrace/error.hpp"

namespace modtrace {
namespace {

using GemmFn = void (*)(const detail::Gemm&);

struct Isa {
  std::string_view name;
  GemmFn gemm;
  bool (*runs_here)();
  // Chosen without MODTRACE_ISA when it runs here (the last such one wins).
  // AVX-512 is not: with Eigen 3.4's kernels it measured no faster than AVX2
  // on this project's machine (sgemm 2048²: 188 against 193-203 GFLOP/s on
  // two threads, VGG-11 150 against 146 ms; docs/benchmarks.md).
  bool default_choice;
};

bool always() { return true; }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
bool cpu_has_avx512() {
  __builtin_cpu_init();
  return cpu_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512dq");
}
#endif

// Narrowest first.
constexpr std::array kIsas = {
    Isa{"baseline", &detail::isa_baseline::gemm, &always, true},
#ifdef MODTRACE_KERNELS_AVX2
    Isa{"avx2", &detail::isa_avx2::gemm, &cpu_has_avx2, true},
#endif
#ifdef MODTRACE_KERNELS_AVX512
    Isa{"avx512", &detail::isa_avx512::gemm, &cpu_has_avx512, false},
#endif
};

std::string available_text() {
  std::string out;
  for (const std::string_view name : available_kernel_isas()) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// The available set called `name`, or Error saying why there is none.
const Isa& find(std::string_view name, std::string_view asked_by) {
  for (const Isa& isa : kIsas) {
    if (isa.name != name) continue;
    if (!isa.runs_here()) {
      throw Error(std::string(asked_by) + std::string(name) + ": this CPU (or its operating system) does not support it; available: " +
                  available_text());
    }
    return isa;
  }
  const bool known = name == "baseline" || name == "avx2" || name == "avx512";
  throw Error(std::string(asked_by) + std::string(name) +
              (known ? ": this build of modtrace does not have it" : ": expected baseline, avx2 or avx512") +
              "; available: " + available_text());
}

std::atomic<const Isa*> chosen{nullptr};
std::mutex choosing;

const Isa& current() {
  if (const Isa* isa = chosen.load(std::memory_order_acquire)) return *isa;
  const std::lock_guard lock(choosing);
  if (const Isa* isa = chosen.load(std::memory_order_acquire)) return *isa;
  const Isa* pick = nullptr;
  if (const char* env = std::getenv("MODTRACE_ISA"); env != nullptr && *env != '\0') {
    pick = &find(env, "MODTRACE_ISA=");  // throws for a bad value, every time it is read
  } else {
    for (const Isa& isa : kIsas) {
      if (isa.default_choice && isa.runs_here()) pick = &isa;  // the widest default that runs
    }
  }
  chosen.store(pick, std::memory_order_release);
  return *pick;
}

}  // namespace

std::string_view kernel_isa() { return current().name; }

std::vector<std::string_view> available_kernel_isas() {
  std::vector<std::string_view> out;
  for (const Isa& isa : kIsas) {
    if (isa.runs_here()) out.push_back(isa.name);
  }
  return out;
}

void set_kernel_isa(std::string_view name) { chosen.store(&find(name, "kernel instruction set "), std::memory_order_release); }

namespace detail {

void gemm(const Gemm& g) {
  if (g.m == 0 || g.n == 0) return;
  current().gemm(g);
}

}  // namespace detail
}  // namespace modtrace
