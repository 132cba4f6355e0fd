#include "core/block_cache.hpp"

#include <algorithm>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "modtrace/memory.hpp"

namespace modtrace {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCaching = false;  // ASan must see every free to find uses after it
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kCaching = false;
#else
constexpr bool kCaching = true;
#endif
#else
constexpr bool kCaching = true;
#endif

constexpr std::align_val_t kAlignment{64};   // as tensor.cpp allocates
constexpr size_t kSmallest = 64 * 1024;       // smaller blocks stay in malloc's own free lists
constexpr int64_t kMost = 256LL << 20;        // and never more than a quarter of the memory limit

struct BlockCache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> blocks;  // by size in bytes
  int64_t bytes = 0;
};

// Never destroyed: storage freed during static destruction still finds it.
BlockCache& cache() {
  static auto* instance = new BlockCache;
  return *instance;
}

}  // namespace

namespace detail {

void* take_cached_block(size_t bytes) noexcept {
  if (!kCaching || bytes < kSmallest) return nullptr;
  BlockCache& c = cache();
  const std::lock_guard lock(c.mutex);
  const auto it = c.blocks.find(bytes);
  if (it == c.blocks.end() || it->second.empty()) return nullptr;
  void* block = it->second.back();
  it->second.pop_back();
  c.bytes -= static_cast<int64_t>(bytes);
  return block;
}

bool keep_block(void* block, size_t bytes) noexcept {
  if (!kCaching || bytes < kSmallest) return false;
  const int64_t most = std::min(kMost, memory_limit() / 4);
  BlockCache& c = cache();
  const std::lock_guard lock(c.mutex);
  if (c.bytes + static_cast<int64_t>(bytes) > most) return false;
  try {
    c.blocks[bytes].push_back(block);
  } catch (const std::bad_alloc&) {
    return false;  // the block is freed instead
  }
  c.bytes += static_cast<int64_t>(bytes);
  return true;
}

}  // namespace detail

int64_t memory_cached() {
  BlockCache& c = cache();
  const std::lock_guard lock(c.mutex);
  return c.bytes;
}

void release_cached_memory() {
  std::unordered_map<size_t, std::vector<void*>> blocks;
  {
    BlockCache& c = cache();
    const std::lock_guard lock(c.mutex);
    blocks.swap(c.blocks);
    c.bytes = 0;
  }
  for (auto& [bytes, list] : blocks) {
    for (void* block : list) ::operator delete[](block, kAlignment);
  }
}

}  // namespace modtrace
