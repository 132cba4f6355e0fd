#include "modtrace/tensor.hpp"

#include <cmath>
#include <cstring>
#include <atomic>
#include <limits>
#include <new>

#include "core/block_cache.hpp"
#include "core/deterministic.hpp"
#include "core/memory_budget.hpp"
#include "core/tensor_internals.hpp"
#include "modtrace/memory.hpp"

namespace modtrace {
namespace {

constexpr std::align_val_t kAlignment{64};  // a cache line: full-width SIMD loads never split

// Storage of fewer bytes than this comes from plain operator new (16-byte
// aligned): glibc's aligned allocation splits and later consolidates chunks,
// which cost small tensors more than their arithmetic (a third of a 4-element
// op's time went to malloc and free).
constexpr int64_t kSmallStorage = 256;

void* new_block(size_t bytes) {
  return bytes < static_cast<size_t>(kSmallStorage) ? ::operator new[](bytes) : ::operator new[](bytes, kAlignment);
}

void delete_block(void* p, size_t bytes) noexcept {
  if (bytes < static_cast<size_t>(kSmallStorage)) {
    ::operator delete[](p);
  } else {
    ::operator delete[](p, kAlignment);
  }
}

}  // namespace

// The header every storage's views share, in its control block: what the
// storage costs the memory budget, what TensorInternals::storage_stamp
// reports, and storage someone else owns (a mapped file). Fields that
// threads share are reached through std::atomic_ref.
struct detail::Storage {
  int64_t owned_bytes = 0;                // > 0: the elements follow this header, counted by the budget
  std::shared_ptr<float> keep;            // storage someone else owns
  uint64_t version = 0;                   // write accesses, counted once someone watches
  bool watched = false;                   // a stamp was taken (TensorInternals::storage_stamp)
  void (*forget)(const void*) = nullptr;  // a kernel cache to tell when freed

  Storage(int64_t owned, std::shared_ptr<float> kept) : owned_bytes(owned), keep(std::move(kept)) {}
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage() {
    if (auto* callback = std::atomic_ref(forget).load(std::memory_order_acquire)) callback(this);
    if (owned_bytes > 0) detail::release_memory(owned_bytes);
  }
};

namespace {

// Puts a storage's elements in the same heap block as its control block
// (std::allocate_shared with this allocator): one allocation per tensor,
// not one for the elements and one for the shared_ptr's bookkeeping.
// allocate() is asked for the control block; it takes `data_bytes` more
// behind it and says where they start.
template <class T>
struct StorageAllocator {
  using value_type = T;
  size_t data_bytes = 0;
  float** data = nullptr;  // where allocate() writes the elements' address

  StorageAllocator(size_t bytes, float** out) : data_bytes(bytes), data(out) {}
  template <class U>
  StorageAllocator(const StorageAllocator<U>& other) noexcept : data_bytes(other.data_bytes), data(other.data) {}

  // The control block rounded up so the elements start aligned: 64 bytes
  // for large storage (full-width SIMD loads never split a cache line), 16
  // for small (plain operator new: glibc's aligned allocation splits and
  // later consolidates chunks, which cost small tensors more than their
  // arithmetic).
  static size_t head(size_t n, size_t data_bytes) {
    const size_t align = data_bytes < static_cast<size_t>(kSmallStorage) ? 16 : static_cast<size_t>(kAlignment);
    return (sizeof(T) * n + align - 1) / align * align;
  }
  T* allocate(size_t n) {
    const size_t total = head(n, data_bytes) + data_bytes;
    void* block = detail::take_cached_block(total);
    if (block == nullptr) block = new_block(total);
    *data = reinterpret_cast<float*>(static_cast<char*>(block) + head(n, data_bytes));
    return static_cast<T*>(block);
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t total = head(n, data_bytes) + data_bytes;
    if (!detail::keep_block(p, total)) delete_block(p, total);
  }
  template <class U>
  bool operator==(const StorageAllocator<U>& other) const noexcept {
    return data_bytes == other.data_bytes;
  }
};

struct Allocated {
  std::shared_ptr<float> data;
  detail::Storage* storage;
};

Allocated allocate_block(int64_t bytes) {
  float* data = nullptr;
  auto header = std::allocate_shared<detail::Storage>(
      StorageAllocator<detail::Storage>(static_cast<size_t>(bytes), &data), bytes, std::shared_ptr<float>());
  detail::Storage* storage = header.get();
  return {std::shared_ptr<float>(std::move(header), data), storage};
}

// Storage counted against the memory budget (modtrace/memory.hpp) from
// before it is allocated until its last tensor lets it go.
Allocated allocate(const Shape& shape, int64_t n, const char* kind = "a tensor of shape") {
  if (n > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(sizeof(float)) - 4096) {
    throw detail::MemoryError("cannot allocate " + std::string(kind) + " " + to_string(shape) + ": too many elements");
  }
  const int64_t bytes = std::max<int64_t>(n, 1) * static_cast<int64_t>(sizeof(float));
  detail::reserve_memory(bytes, shape, kind);
  try {
    try {
      return allocate_block(bytes);
    } catch (const std::bad_alloc&) {
      // The blocks kept for reuse go back to the system before giving up.
      release_cached_memory();
      return allocate_block(bytes);
    }
  } catch (const std::bad_alloc&) {
    // The header never existed, so its destructor will not give the bytes back.
    detail::release_memory(bytes);
    throw detail::MemoryError("cannot allocate " + std::string(kind) + " " + to_string(shape) + " (" + format_bytes(bytes) +
                              "): out of memory (the system refused it below the memory limit of " +
                              format_bytes(memory_limit()) + ")");
  }
}

}  // namespace

Tensor Tensor::with_storage(Shape shape, std::shared_ptr<float> data, detail::Storage* storage) {
  check_dims(shape);
  Tensor t;
  t.numel_ = numel_of(shape);
  t.shape_ = std::move(shape);
  t.data_ = std::move(data);
  t.storage_ = storage;
  t.defined_ = true;
  return t;
}

Tensor detail::TensorInternals::with_storage(Shape shape, std::shared_ptr<float> data) {
  if (!data) return Tensor::with_storage(std::move(shape), nullptr, nullptr);
  // Storage from elsewhere (a mapped file) gets a header of its own, so
  // that it too has a version.
  float* p = data.get();
  auto header = std::make_shared<Storage>(0, std::move(data));
  Storage* storage = header.get();
  return Tensor::with_storage(std::move(shape), std::shared_ptr<float>(std::move(header), p), storage);
}

detail::TensorInternals::StorageStamp detail::TensorInternals::storage_stamp(const Tensor& t) {
  if (t.storage_ == nullptr) return {};
  // From now on writes count: before the first stamp nobody could compare versions.
  std::atomic_ref(t.storage_->watched).store(true, std::memory_order_release);
  return {t.storage_, std::atomic_ref(t.storage_->version).load(std::memory_order_acquire)};
}

void detail::TensorInternals::call_when_freed(const Tensor& t, void (*forget)(const void* id)) {
  if (t.storage_ != nullptr) std::atomic_ref(t.storage_->forget).store(forget, std::memory_order_release);
}

Tensor::Tensor(Shape shape, std::vector<float> values) {
  const int64_t n = numel_of(shape);
  if (static_cast<int64_t>(values.size()) != n) {
    throw Error("Tensor: " + std::to_string(values.size()) + " values given for shape " +
                to_string(shape) + ", expected " + std::to_string(n));
  }
  *this = empty(std::move(shape));
  if (n > 0) std::memcpy(data_.get(), values.data(), values.size() * sizeof(float));
}

Tensor Tensor::empty(Shape shape) {
  check_dims(shape);  // before the allocation
  const int64_t n = numel_of(shape);
  auto [data, storage] = allocate(shape, n);
  // As with_storage, without checking the shape twice: every op's output comes here.
  Tensor t;
  t.numel_ = n;
  t.shape_ = std::move(shape);
  t.data_ = std::move(data);
  t.storage_ = storage;
  t.defined_ = true;
  return t;
}

Tensor detail::TensorInternals::workspace(Shape shape) {
  check_dims(shape);
  auto [data, storage] = allocate(shape, numel_of(shape), "a workspace of shape");
  return Tensor::with_storage(std::move(shape), std::move(data), storage);
}

Tensor Tensor::zeros(Shape shape) { return full(std::move(shape), 0.0f); }
Tensor Tensor::ones(Shape shape) { return full(std::move(shape), 1.0f); }

Tensor Tensor::full(Shape shape, float value) {
  Tensor t = empty(std::move(shape));
  std::fill_n(t.data_.get(), t.numel_, value);
  return t;
}

Tensor Tensor::scalar(float value) { return full({}, value); }

Tensor Tensor::arange(int64_t n) {
  Tensor t = empty({n});
  for (int64_t i = 0; i < n; ++i) t.data_.get()[i] = static_cast<float>(i);
  return t;
}

Tensor Tensor::deterministic(Shape shape, std::string_view key) {
  Tensor t = empty(std::move(shape));
  const uint32_t hash = detail::fnv1a32(key);
  float* p = t.data_.get();
  for (int64_t i = 0; i < t.numel_; ++i) {
    p[i] = static_cast<float>(2.0 * detail::deterministic_uniform(hash, static_cast<uint64_t>(i)) - 1.0);
  }
  return t;
}

Tensor Tensor::meta(Shape shape) { return with_storage(std::move(shape), nullptr, nullptr); }

int64_t Tensor::size(int64_t dim) const { return shape_[wrap_dim(dim, this->dim(), "size")]; }

namespace {
[[noreturn]] void no_values(bool defined, const Shape& shape) {
  if (!defined) throw Error("data: the tensor is undefined");
  throw Error("data: tensor of shape " + to_string(shape) + " is a meta tensor (shape only, no values)");
}
}  // namespace

float* Tensor::data() {
  if (!data_) no_values(defined_, shape_);
  // Opened for writing: caches of converted copies must look again. Only
  // a watched storage counts (most never are: a locked add per op saved).
  if (storage_ != nullptr && std::atomic_ref(storage_->watched).load(std::memory_order_acquire)) {
    std::atomic_ref(storage_->version).fetch_add(1, std::memory_order_release);
  }
  return data_.get();
}

const float* Tensor::data() const {
  if (!data_) no_values(defined_, shape_);
  return data_.get();
}

std::vector<float> Tensor::to_vector() const {
  const float* p = data();
  return std::vector<float>(p, p + numel_);
}

int64_t Tensor::flat_index(std::initializer_list<int64_t> index) const {
  if (static_cast<int64_t>(index.size()) != dim()) {
    throw Error("at: " + std::to_string(index.size()) + " indices given for a " +
                std::to_string(dim()) + "-d tensor of shape " + to_string(shape_));
  }
  int64_t flat = 0;
  size_t d = 0;
  for (int64_t i : index) {
    const int64_t n = shape_[d];
    if (i < -n || i >= n) {
      throw Error("at: index " + std::to_string(i) + " out of range for dimension " + std::to_string(d) +
                  " of size " + std::to_string(n) + " (shape " + to_string(shape_) + ")");
    }
    flat = flat * n + (i < 0 ? i + n : i);
    ++d;
  }
  return flat;
}

float& Tensor::at(std::initializer_list<int64_t> index) { return data()[flat_index(index)]; }
float Tensor::at(std::initializer_list<int64_t> index) const { return data()[flat_index(index)]; }

float Tensor::item() const {
  if (numel_ != 1) {
    throw Error("item: a tensor with " + std::to_string(numel_) + " elements (shape " + to_string(shape_) +
                ") cannot be converted to a single value, expected exactly one element");
  }
  return data()[0];
}

bool Tensor::shares_storage_with(const Tensor& other) const noexcept {
  if (!data_ || !other.data_) return false;
  return !data_.owner_before(other.data_) && !other.data_.owner_before(data_);
}

bool Tensor::is_same(const Tensor& other) const noexcept {
  if (!defined_ || !other.defined_ || shape_ != other.shape_) return false;
  if (data_ || other.data_) return data_.get() == other.data_.get();
  return tag_.trace != 0 && tag_.trace == other.tag_.trace && tag_.value == other.tag_.value &&
         tag_.output == other.tag_.output;
}

void Tensor::copy_(const Tensor& source) {
  if (source.shape_ != shape_) {
    throw Error("copy_: source shape " + to_string(source.shape_) + " differs from destination shape " +
                to_string(shape_));
  }
  if (is_meta() || source.is_meta()) return;  // nothing to copy between shapes
  std::memmove(data(), source.data(), static_cast<size_t>(numel_) * sizeof(float));
}

Tensor Tensor::alias(Shape shape) const {
  if (!defined_) throw Error("alias: the tensor is undefined");
  Tensor t = with_storage(std::move(shape), data_, storage_);
  if (t.numel_ != numel_) {
    throw Error("alias: shape " + to_string(t.shape_) + " does not have the " + std::to_string(numel_) +
                " elements of " + to_string(shape_));
  }
  t.copied_view_op_ = copied_view_op_;  // a view of such a copy is one too
  return t;
}

std::string_view Tensor::copied_view_op() const noexcept {
  return copied_view_op_ ? std::string_view(copied_view_op_) : std::string_view();
}

namespace {
void require_comparable(const Tensor& a, const Tensor& b, const char* what) {
  if (!a.defined() || !b.defined()) throw Error(std::string(what) + ": undefined tensor");
  if (a.is_meta() || b.is_meta()) throw Error(std::string(what) + ": meta tensors have no values to compare");
}
}  // namespace

bool equal(const Tensor& a, const Tensor& b) {
  require_comparable(a, b, "equal");
  if (a.shape() != b.shape()) return false;
  const float* pa = a.data();
  const float* pb = b.data();
  for (int64_t i = 0; i < a.numel(); ++i) {
    if (!(pa[i] == pb[i])) return false;
  }
  return true;
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  require_comparable(a, b, "allclose");
  if (a.shape() != b.shape()) return false;
  const float* pa = a.data();
  const float* pb = b.data();
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = pa[i];
    const double y = pb[i];
    if (x == y) continue;  // also equal infinities
    if (!(std::abs(x - y) <= atol + rtol * std::abs(y))) return false;
  }
  return true;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  require_comparable(a, b, "max_abs_diff");
  if (a.shape() != b.shape()) {
    throw Error("max_abs_diff: shapes " + to_string(a.shape()) + " and " + to_string(b.shape()) +
                " differ, expected equal shapes");
  }
  const float* pa = a.data();
  const float* pb = b.data();
  double worst = 0.0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = std::abs(static_cast<double>(pa[i]) - static_cast<double>(pb[i]));
    if (std::isnan(d)) return d;
    worst = std::max(worst, d);
  }
  return worst;
}

}  // namespace modtrace
