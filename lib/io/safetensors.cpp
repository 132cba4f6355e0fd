// safetensors: https://github.com/huggingface/safetensors (format section).
// Treats every byte as hostile: sizes are checked before use, offsets against
// the buffer, byte counts against shapes, and nothing reaches a model unless
// the whole file checks out.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "core/half.hpp"
#include "core/tensor_internals.hpp"
#include "io/mapped_file.hpp"
#include "modtrace/io.hpp"

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace modtrace::safetensors {
namespace {

constexpr uint64_t kMaxHeader = 100u << 20;  // the format's own limit: 100 MB of JSON

struct DType {
  const char* name;
  size_t size;
  float (*read)(const unsigned char*);
};

template <class T>
float load_as_float(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<float>(v);
}

float load_f16(const unsigned char* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return detail::half_to_float(h);
}

float load_bf16(const unsigned char* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return detail::bfloat16_to_float(h);
}

float load_bool(const unsigned char* p) { return *p ? 1.0f : 0.0f; }

const DType* find_dtype(const std::string& name) {
  static const DType all[] = {
      {"F32", 4, load_as_float<float>},     {"F64", 8, load_as_float<double>},  {"F16", 2, load_f16},
      {"BF16", 2, load_bf16},               {"I64", 8, load_as_float<int64_t>}, {"I32", 4, load_as_float<int32_t>},
      {"I16", 2, load_as_float<int16_t>},   {"I8", 1, load_as_float<int8_t>},   {"U8", 1, load_as_float<uint8_t>},
      {"BOOL", 1, load_bool},
  };
  for (const auto& d : all) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

struct Entry {
  std::string key;
  const DType* dtype;
  Shape shape;
  uint64_t begin, end;
};

[[noreturn]] void fail(const std::string& source, const std::string& problem) {
  throw Error(source + ": " + problem);
}


// The header, read as it is parsed (SAX) into entries and metadata: no JSON
// document is built, so memory stays proportional to what the header holds
// (a 100 MB header of one array cost 2 GB as a document), and a header of
// the wrong shape is refused at the first value that does not fit.
class HeaderReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  HeaderReader(const std::string& source, uint64_t data_size) : source_(source), data_size_(data_size) {}

  std::vector<Entry> entries;
  std::map<std::string, std::string> metadata;

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  bool number_integer(number_integer_t) override { return scalar("a negative number"); }
  bool number_unsigned(number_unsigned_t v) override {
    if (skipping()) return true;
    if (state_ == State::shape) {
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        fail(source_, "tensor '" + key_ + "': shape dimension " + std::to_string(v) + " is too large");
      }
      if (shape_.size() == kMaxDims) {
        fail(source_, "tensor '" + key_ + "': shape has more than " + std::to_string(kMaxDims) + " dimensions");
      }
      shape_.push_back(static_cast<int64_t>(v));
      return true;
    }
    if (state_ == State::offsets) {
      if (offsets_.size() == 2) fail(source_, "tensor '" + key_ + "': data_offsets must be [begin, end]");
      offsets_.push_back(v);
      return true;
    }
    return scalar("a number");
  }
  bool number_float(number_float_t, const string_t&) override { return scalar("a fraction"); }
  bool binary(binary_t&) override { return scalar("binary data"); }
  bool string(string_t& value) override {
    if (skipping()) return true;
    if (state_ == State::metadata) {
      metadata[field_] = value;
      return true;
    }
    if (state_ == State::entry && field_ == "dtype") {
      dtype_ = value;
      has_dtype_ = true;
      return true;
    }
    return scalar("a string");
  }

  bool start_object(std::size_t) override {
    if (skipping() || (state_ == State::entry && !known_field())) return skip_into();
    switch (state_) {
      case State::start: state_ = State::top; return true;
      case State::top:
        if (key_ == "__metadata__") {
          state_ = State::metadata;
        } else {
          state_ = State::entry;
          dtype_.clear();
          shape_.clear();
          offsets_.clear();
          has_dtype_ = has_shape_ = has_offsets_ = false;
        }
        return true;
      default: return scalar("an object");
    }
  }
  bool end_object() override {
    if (skipping()) return skip_out();
    if (state_ == State::metadata) {
      state_ = State::top;
    } else if (state_ == State::entry) {
      finish_entry();
      state_ = State::top;
    } else if (state_ == State::top) {
      state_ = State::done;
    }
    return true;
  }
  bool start_array(std::size_t) override {
    if (skipping() || (state_ == State::entry && !known_field())) return skip_into();
    if (state_ == State::entry && field_ == "shape") {
      state_ = State::shape;
      has_shape_ = true;
      return true;
    }
    if (state_ == State::entry && field_ == "data_offsets") {
      state_ = State::offsets;
      has_offsets_ = true;
      return true;
    }
    return scalar("an array");
  }
  bool end_array() override {
    if (skipping()) return skip_out();
    if (state_ == State::offsets && offsets_.size() != 2) {
      fail(source_, "tensor '" + key_ + "': data_offsets must be [begin, end]");
    }
    state_ = State::entry;
    return true;
  }
  bool key(string_t& name) override {
    if (skipping()) return true;
    if (state_ == State::top) {
      if (!keys_.insert(name).second) fail(source_, "tensor '" + name + "' appears twice in the header");
      key_ = name;
    } else {
      field_ = name;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    fail(source_, std::string("the header is not valid JSON: ") + e.what());
  }

 private:
  enum class State { start, top, metadata, entry, shape, offsets, done };

  // A value where another was expected: the message the old checks gave.
  bool scalar(const char*) {
    if (skipping() || (state_ == State::entry && !known_field())) return true;  // an extra field: ignored
    switch (state_) {
      case State::start: fail(source_, "the header must be a JSON object");
      case State::top:
        if (key_ == "__metadata__") fail(source_, "__metadata__ must be an object of strings");
        fail(source_, "tensor '" + key_ + "': expected an object with dtype, shape and data_offsets");
      case State::metadata: fail(source_, "__metadata__ entry '" + field_ + "' must be a string");
      case State::entry:
        if (field_ == "dtype") fail(source_, "tensor '" + key_ + "': dtype must be a string");
        if (field_ == "shape") fail(source_, "tensor '" + key_ + "': shape must be an array");
        fail(source_, "tensor '" + key_ + "': data_offsets must be [begin, end]");
      case State::shape: fail(source_, "tensor '" + key_ + "': shape entries must be non-negative integers");
      case State::offsets: fail(source_, "tensor '" + key_ + "': data_offsets must be two non-negative integers");
      case State::done: fail(source_, "the header must be one JSON object");
    }
    return false;
  }
  bool known_field() const { return field_ == "dtype" || field_ == "shape" || field_ == "data_offsets"; }
  // Fields the format does not define are skipped whole, keeping nothing.
  bool skipping() const { return skip_depth_ > 0; }
  bool skip_into() {
    ++skip_depth_;
    return true;
  }
  bool skip_out() {
    --skip_depth_;
    return true;
  }

  void finish_entry() {
    if (!has_dtype_ || !has_shape_ || !has_offsets_) {
      fail(source_, "tensor '" + key_ + "': expected an object with dtype, shape and data_offsets");
    }
    const DType* dtype = find_dtype(dtype_);
    if (dtype == nullptr) {
      fail(source_, "tensor '" + key_ + "': dtype " + dtype_ +
                        " cannot be read (supported: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
    }
    int64_t numel = 0;
    try {
      numel = numel_of(shape_);
    } catch (const Error&) {
      fail(source_, "tensor '" + key_ + "': shape " + to_string(shape_) + " has too many elements");
    }
    const uint64_t begin = offsets_[0], end = offsets_[1];
    const std::string range = "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
    if (begin > end) fail(source_, "tensor '" + key_ + "': " + range + " end before they begin");
    if (end > data_size_) {
      fail(source_, "tensor '" + key_ + "': " + range + " are out of range: the data section has " +
                        std::to_string(data_size_) + " bytes");
    }
    const uint64_t want = static_cast<uint64_t>(numel) * dtype->size;
    if (static_cast<uint64_t>(numel) > std::numeric_limits<uint64_t>::max() / dtype->size || end - begin != want) {
      fail(source_, "tensor '" + key_ + "': " + range + " hold " + std::to_string(end - begin) + " bytes, expected " +
                        std::to_string(want) + " for " + dtype_ + " " + to_string(shape_));
    }
    entries.push_back({key_, dtype, shape_, begin, end});
  }

  const std::string& source_;
  uint64_t data_size_;
  State state_ = State::start;
  int skip_depth_ = 0;
  std::set<std::string> keys_;
  std::string key_, field_, dtype_;
  Shape shape_;
  std::vector<uint64_t> offsets_;
  bool has_dtype_ = false, has_shape_ = false, has_offsets_ = false;
};

// Parses `bytes`; with `mapping` (the file they are), F32 tensors view the
// mapped file instead of copying it, so loading copies each tensor once,
// into its parameter.
File parse_bytes(std::string_view bytes, const std::string& source,
                 const std::shared_ptr<const detail::MappedFile>& mapping) {
  if (bytes.size() < 8) {
    fail(source, "truncated: " + std::to_string(bytes.size()) + " bytes, expected at least the 8-byte header length");
  }
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);
  const uint64_t available = bytes.size() - 8;
  if (header_len > kMaxHeader) {
    fail(source, "header length " + std::to_string(header_len) + " exceeds the format's limit of 100 MB");
  }
  if (header_len > available) {
    fail(source, "header length " + std::to_string(header_len) + " is beyond the end of the file (" +
                     std::to_string(available) + " bytes follow the length)");
  }
  const std::string_view header(bytes.data() + 8, header_len);
  const uint64_t data_size = available - header_len;
  const char* data = bytes.data() + 8 + header_len;

  HeaderReader reader(source, data_size);
  try {
    nlohmann::json::sax_parse(header, &reader);
  } catch (const nlohmann::json::exception& e) {
    fail(source, std::string("the header is not valid JSON: ") + e.what());
  }
  File file;
  file.metadata = std::move(reader.metadata);
  std::vector<Entry> entries = std::move(reader.entries);

  // The tensors must tile the data section exactly: no overlap, no gap.
  std::vector<const Entry*> by_offset;
  for (const auto& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t cursor = 0;
  for (size_t i = 0; i < by_offset.size(); ++i) {
    const Entry& e = *by_offset[i];
    if (e.begin < cursor) {
      fail(source, "tensors '" + by_offset[i - 1]->key + "' and '" + e.key + "' overlap in the data section");
    }
    if (e.begin > cursor) {
      fail(source, "bytes [" + std::to_string(cursor) + ", " + std::to_string(e.begin) +
                       ") of the data section belong to no tensor (before '" + e.key + "')");
    }
    cursor = e.end;
  }
  if (cursor != data_size) {
    fail(source, "the data section has " + std::to_string(data_size) + " bytes but the tensors cover " +
                     std::to_string(cursor));
  }

  for (const Entry* e : by_offset) {
    if (mapping && std::string(e->dtype->name) == "F32" &&
        reinterpret_cast<uintptr_t>(data + e->begin) % alignof(float) == 0) {
      // Writable copy-on-write pages, kept alive by the tensor.
      char* at = mapping->data() + (data + e->begin - mapping->bytes().data());
      file.tensors.emplace_back(
          e->key, detail::TensorInternals::with_storage(e->shape, std::shared_ptr<float>(mapping, reinterpret_cast<float*>(at))));
      continue;
    }
    Tensor t = Tensor::empty(e->shape);
    const auto* src = reinterpret_cast<const unsigned char*>(data + e->begin);
    float* dst = t.data();
    if (std::string(e->dtype->name) == "F32") {
      std::memcpy(dst, src, static_cast<size_t>(e->end - e->begin));
    } else {
      for (int64_t i = 0; i < t.numel(); ++i) dst[i] = e->dtype->read(src + i * e->dtype->size);
    }
    file.tensors.emplace_back(e->key, std::move(t));
  }
  return file;
}

}  // namespace

File parse(const std::string& bytes, const std::string& source) { return parse_bytes(bytes, source, nullptr); }

File read(const std::string& path) {
  const auto mapping = detail::MappedFile::open(path, "safetensors file");
  return parse_bytes(mapping->bytes(), path, mapping);
}

std::string serialize(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();  // "{}" with no tensors, not "null"
  uint64_t offset = 0;
  std::set<std::string> keys;
  for (const auto& [key, t] : tensors) {
    if (!keys.insert(key).second) throw Error("safetensors: tensor '" + key + "' is given twice");
    if (key == "__metadata__") throw Error("safetensors: '__metadata__' is reserved and cannot name a tensor");
    if (t.is_meta() || !t.defined()) throw Error("safetensors: tensor '" + key + "' has no values to write");
    const uint64_t size = static_cast<uint64_t>(t.numel()) * sizeof(float);
    header[key] = {{"dtype", "F32"}, {"shape", t.shape()}, {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data section starts 8-byte aligned
  std::string out(8, '\0');
  const uint64_t length = text.size();
  std::memcpy(out.data(), &length, 8);
  out += text;
  out.reserve(out.size() + offset);
  for (const auto& [key, t] : tensors) {
    out.append(reinterpret_cast<const char*>(t.data()), static_cast<size_t>(t.numel()) * sizeof(float));
  }
  return out;
}

void write(const std::string& path, const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  write_file(path, serialize(tensors, metadata));
}

LoadResult load_into(Module& module, const std::string& path, bool strict) {
  const File file = read(path);
  try {
    return module.load_state_dict(file.tensors, strict);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

}  // namespace modtrace::safetensors
