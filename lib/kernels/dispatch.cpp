// Choosing the instruction set of the kernels (modtrace/cpu.hpp): what this
// build compiled (MODTRACE_KERNELS_AVX2 / _AVX512 from lib/meson.build),
// what the CPU and OS support (cpuid, through the compiler's
// __builtin_cpu_supports, which also checks that the OS saves the wide
// registers), and MODTRACE_ISA; and choosing the kernel library behind
// convolutions and matrix products (oneDNN when built with it, or
// modtrace's own) and MODTRACE_KERNELS.

#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "kernels/convolution.hpp"
#include "kernels/depthwise.hpp"
#include "kernels/gemm.hpp"
#include "modtrace/cpu.hpp"
#include "modtrace/error.hpp"

namespace modtrace {
namespace {

using GemmFn = void (*)(const detail::Gemm&);
using ConvolutionFn = void (*)(const detail::Convolution&);

struct Isa {
  std::string_view name;
  GemmFn gemm;
  ConvolutionFn depthwise;
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
    Isa{"baseline", &detail::isa_baseline::gemm, &detail::isa_baseline::depthwise_convolution, &always, true},
#ifdef MODTRACE_KERNELS_AVX2
    Isa{"avx2", &detail::isa_avx2::gemm, &detail::isa_avx2::depthwise_convolution, &cpu_has_avx2, true},
#endif
#ifdef MODTRACE_KERNELS_AVX512
    Isa{"avx512", &detail::isa_avx512::gemm, &detail::isa_avx512::depthwise_convolution, &cpu_has_avx512, false},
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

// The kernel libraries, the default first.
constexpr std::array kLibraries = {
#ifdef MODTRACE_ONEDNN
    std::string_view("onednn"),
#endif
    std::string_view("builtin"),
};

std::string libraries_text() {
  std::string out;
  for (const std::string_view name : kLibraries) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// The entry of kLibraries called `name`, or Error saying why there is none.
const std::string_view& find_library(std::string_view name, std::string_view asked_by) {
  for (const std::string_view& library : kLibraries) {
    if (library == name) return library;
  }
  const bool known = name == "onednn" || name == "builtin";
  throw Error(std::string(asked_by) + std::string(name) +
              (known ? ": this build of modtrace does not have it (meson option onednn)" : ": expected onednn or builtin") +
              "; available: " + libraries_text());
}

std::atomic<const std::string_view*> chosen_library{nullptr};

std::string_view current_library() {
  if (const std::string_view* library = chosen_library.load(std::memory_order_acquire)) return *library;
  const std::lock_guard lock(choosing);
  if (const std::string_view* library = chosen_library.load(std::memory_order_acquire)) return *library;
  const char* env = std::getenv("MODTRACE_KERNELS");
  const std::string_view& pick =
      env != nullptr && *env != '\0' ? find_library(env, "MODTRACE_KERNELS=") : kLibraries.front();
  chosen_library.store(&pick, std::memory_order_release);
  return pick;
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

void set_kernel_isa(std::string_view name) {
  chosen.store(&find(name, "kernel instruction set "), std::memory_order_release);
}

std::string_view kernel_library() { return current_library(); }

std::vector<std::string_view> available_kernel_libraries() { return {kLibraries.begin(), kLibraries.end()}; }

void set_kernel_library(std::string_view name) {
  chosen_library.store(&find_library(name, "kernel library "), std::memory_order_release);
}

namespace detail {

#ifdef MODTRACE_ONEDNN
namespace {
// Whether oneDNN runs the kernels. MODTRACE_ISA caps oneDNN too (tests run
// every set on one machine), once, before its first use; without it oneDNN
// picks the widest set this CPU has.
bool use_onednn() {
  if (current_library() != "onednn") return false;
  static const bool capped = [] {
    const char* env = std::getenv("MODTRACE_ISA");
    return env != nullptr && *env != '\0' && onednn_limit_isa(kernel_isa());
  }();
  (void)capped;
  return true;
}
}  // namespace
#endif

void gemm(const Gemm& g) {
  if (g.m == 0 || g.n == 0) return;
#ifdef MODTRACE_ONEDNN
  if (use_onednn()) return onednn_gemm(g);
#endif
  current().gemm(g);
}

void depthwise_convolution(const Convolution& c) { current().depthwise(c); }

bool library_convolution(const Convolution& c) {
#ifdef MODTRACE_ONEDNN
  if (use_onednn()) return onednn_convolution(c);
#endif
  (void)c;
  return false;
}

}  // namespace detail
}  // namespace modtrace
