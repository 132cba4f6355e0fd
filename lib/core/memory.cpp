// The memory budget (modtrace/memory.hpp): one process-wide count of tensor
// storage, checked before each allocation. Atomic, so threads tracing or
// running models at once share it without a lock; an allocation costs one
// fetch_add more, nothing next to malloc.

#include "modtrace/memory.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "core/memory_budget.hpp"

namespace modtrace {
namespace {

constexpr int64_t kUnset = 0;
std::atomic<int64_t> g_limit{kUnset};
std::atomic<int64_t> g_in_use{0};
std::atomic<int64_t> g_peak{0};

// A cgroup limit in bytes, or 0 when there is none (v2 "max", v1's huge
// "unlimited" value, no such file).
int64_t cgroup_limit() {
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    std::string text;
    if (!(in >> text)) continue;
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && value > 0 && value < (int64_t{1} << 60)) return value;
  }
  return 0;
}

// What this process may use: physical memory, or less in a limited cgroup.
int64_t usable_memory() {
  static const int64_t usable = [] {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    int64_t physical = pages > 0 && page_size > 0 ? static_cast<int64_t>(pages) * page_size : int64_t{8} << 30;
    if (const int64_t cgroup = cgroup_limit(); cgroup > 0) physical = std::min(physical, cgroup);
    return physical;
  }();
  return usable;
}

void note_peak(int64_t in_use) {
  int64_t peak = g_peak.load(std::memory_order_relaxed);
  while (in_use > peak && !g_peak.compare_exchange_weak(peak, in_use, std::memory_order_relaxed)) {
  }
}

std::string trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

int64_t default_memory_limit() { return usable_memory() / 4 * 3; }

int64_t memory_limit() {
  const int64_t limit = g_limit.load(std::memory_order_relaxed);
  return limit == kUnset ? default_memory_limit() : limit;
}

void set_memory_limit(int64_t bytes) {
  if (bytes <= 0) throw Error("set_memory_limit: the limit must be a positive number of bytes, got " + std::to_string(bytes));
  g_limit.store(bytes, std::memory_order_relaxed);
}

int64_t memory_in_use() { return g_in_use.load(std::memory_order_relaxed); }
int64_t peak_memory_in_use() { return g_peak.load(std::memory_order_relaxed); }
void reset_peak_memory_in_use() { g_peak.store(memory_in_use(), std::memory_order_relaxed); }

std::string format_bytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024.0 && unit < 5) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

int64_t parse_byte_size(std::string_view original) {
  const std::string text = trim(original);
  const auto bad = [&](const std::string& why) -> Error {
    return Error("invalid memory size '" + std::string(original) + "': " + why +
                 "; expected a number of bytes with an optional unit K, M, G or T (powers of 1024, e.g. 512M, "
                 "8G, 1.5GiB) or a percentage of this machine's memory (e.g. 50%)");
  };
  double number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || ec != std::errc() || !std::isfinite(number)) throw bad("no number");
  std::string unit(end, text.data() + text.size());
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double bytes = 0;
  if (unit == "%") {
    if (number <= 0 || number > 100) throw bad("a percentage must be above 0 and at most 100");
    bytes = static_cast<double>(usable_memory()) * number / 100.0;
  } else {
    static constexpr std::string_view kPrefixes = "KMGT";
    double scale = 1;
    if (unit.empty() || unit == "B") {
      scale = 1;
    } else if (const size_t at = kPrefixes.find(unit[0]);
               at != std::string_view::npos && (unit.size() == 1 || unit.substr(1) == "B" || unit.substr(1) == "IB")) {
      scale = std::pow(1024.0, static_cast<double>(at + 1));
    } else {
      throw bad("unknown unit '" + std::string(end, text.data() + text.size()) + "'");
    }
    bytes = number * scale;
  }
  if (!(bytes >= 1)) throw bad("the size must be at least one byte");
  if (bytes >= 9.0e18) throw bad("too large");
  return static_cast<int64_t>(bytes);
}

namespace detail {

void reserve_memory(int64_t bytes, const Shape& shape, const char* kind) {
  const int64_t limit = memory_limit();
  const int64_t before = g_in_use.fetch_add(bytes, std::memory_order_relaxed);
  if (bytes > limit - before) {  // before + bytes > limit, without overflow
    g_in_use.fetch_sub(bytes, std::memory_order_relaxed);
    throw MemoryError("cannot allocate " + std::string(kind) + " " + to_string(shape) + " (" + format_bytes(bytes) +
                      "): tensors already hold " + format_bytes(before) + ", and the memory limit is " +
                      format_bytes(limit) +
                      " (raise it with the tool's --max-memory or modtrace::set_memory_limit; shape-only traces "
                      "need no tensor memory)");
  }
  note_peak(before + bytes);
}

void release_memory(int64_t bytes) noexcept { g_in_use.fetch_sub(bytes, std::memory_order_relaxed); }

}  // namespace detail
}  // namespace modtrace
