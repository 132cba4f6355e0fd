#pragma once
// Internal: a file mapped into memory, for reading large inputs without
// copying them (safetensors weights: each tensor is copied once, into its
// parameter). Only regular files: a FIFO would block and /dev/zero would never
// end, so both are refused before anything is read.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace modtrace::detail {

class MappedFile {
 public:
  // `what` names the file in errors ("weights file"). Throws Error naming the
  // path and the reason (no such file, a directory, not a regular file, errno).
  static std::shared_ptr<const MappedFile> open(const std::string& path, const std::string& what);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }
  // Writable copy-on-write pages: tensors viewing the file may be written
  // (the file never changes). Valid while the MappedFile lives.
  char* data() const { return static_cast<char*>(data_); }

 private:
  MappedFile() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace modtrace::detail
