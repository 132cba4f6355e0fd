// safetensors: round trips, the file PyTorch wrote, dtype conversions, and
// every way a hostile file is refused (with nothing loaded into the model).

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "helpers.hpp"

using namespace modtrace;

namespace {

// A file from a header text and a data section.
std::string file_of(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

std::string floats(std::initializer_list<float> values) {
  std::string s(values.size() * 4, '\0');
  std::memcpy(s.data(), std::data(values), s.size());
  return s;
}

std::string parse_error(const std::string& bytes) {
  return test::error_of([&] { safetensors::parse(bytes, "f.safetensors"); });
}

const std::string one_tensor = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";

}  // namespace

TEST_CASE("a state dict survives a write and a read, in order, with metadata") {
  Linear fc(3, 2);
  const std::string bytes = safetensors::serialize(fc.state_dict(), {{"model", "fc"}});
  const safetensors::File f = safetensors::parse(bytes);
  REQUIRE(f.tensors.size() == 2);
  CHECK(f.tensors[0].first == "weight");
  CHECK(equal(f.tensors[0].second, fc.weight));
  CHECK(equal(f.tensors[1].second, fc.bias));
  CHECK(f.metadata.at("model") == "fc");
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  CHECK(header_length % 8 == 0);  // the data section starts 8-byte aligned
  CHECK(bytes.size() == 8 + header_length + (6 + 2) * 4);
}

TEST_CASE("the file PyTorch wrote reads back with the deterministic weights, bit for bit") {
  const safetensors::File f = safetensors::read(std::string(MODTRACE_TEST_DATA_DIR) + "/squeezenet1_0.safetensors");
  CHECK(f.metadata.at("model") == "squeezenet1_0");
  CHECK(f.tensors.size() == 52);
  CHECK(f.tensors.front().first == "features.0.weight");
  CHECK(f.tensors.front().second.shape() == Shape{96, 3, 7, 7});
  for (const auto& [key, t] : f.tensors) {
    INFO(key);
    CHECK(equal(t, init::deterministic_value(key, t.shape())));
  }
}

TEST_CASE("other dtypes are converted to float32") {
  std::string data;
  const int64_t i64[2] = {7, -3};
  data.append(reinterpret_cast<const char*>(i64), 16);
  const uint16_t f16[2] = {0x3C00, 0xC000};  // 1.0, -2.0
  data.append(reinterpret_cast<const char*>(f16), 4);
  const uint16_t bf16[1] = {0x3FC0};  // 1.5
  data.append(reinterpret_cast<const char*>(bf16), 2);
  const double f64[1] = {0.25};
  data.append(reinterpret_cast<const char*>(f64), 8);
  data.append("\x01\x00", 2);  // BOOL
  const std::string header =
      R"({"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},)"
      R"("c":{"dtype":"BF16","shape":[],"data_offsets":[20,22]},"d":{"dtype":"F64","shape":[1],"data_offsets":[22,30]},)"
      R"("e":{"dtype":"BOOL","shape":[2],"data_offsets":[30,32]}})";
  const safetensors::File f = safetensors::parse(file_of(header, data));
  CHECK(f.tensors[0].second.to_vector() == std::vector<float>{7, -3});
  CHECK(f.tensors[1].second.to_vector() == std::vector<float>{1, -2});
  CHECK(f.tensors[2].second.item() == 1.5f);
  CHECK(f.tensors[3].second.item() == 0.25f);
  CHECK(f.tensors[4].second.to_vector() == std::vector<float>{1, 0});
}

TEST_CASE("a truncated file or a header length past the end is refused") {
  CHECK(parse_error("abc") == "f.safetensors: truncated: 3 bytes, expected at least the 8-byte header length");
  CHECK(parse_error(file_of(one_tensor).substr(0, 20)) ==
        "f.safetensors: header length 54 is beyond the end of the file (12 bytes follow the length)");
  std::string huge(8, '\0');
  const uint64_t n = 1ull << 40;
  std::memcpy(huge.data(), &n, 8);
  CHECK(parse_error(huge) == "f.safetensors: header length 1099511627776 exceeds the format's limit of 100 MB");
}

TEST_CASE("a header that is not the expected JSON is refused") {
  CHECK(parse_error(file_of("{not json")).rfind("f.safetensors: the header is not valid JSON: ", 0) == 0);
  CHECK(parse_error(file_of("[1, 2]")) == "f.safetensors: the header must be a JSON object");
  CHECK(parse_error(file_of(R"({"w": 3})")) ==
        "f.safetensors: tensor 'w': expected an object with dtype, shape and data_offsets");
  CHECK(parse_error(file_of(R"({"__metadata__": {"k": 1}})")) ==
        "f.safetensors: __metadata__ entry 'k' must be a string");
  CHECK(parse_error(file_of(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", floats({1, 2}))) ==
        "f.safetensors: tensor 'w': shape entries must be non-negative integers");
}

TEST_CASE("the header is read as it is parsed: the wrong shape is refused at once, extra fields are skipped") {
  // A header that is one long array stops at its first byte, whatever its length.
  CHECK(parse_error(file_of("[" + std::string(1 << 20, '1') + "]")) == "f.safetensors: the header must be a JSON object");
  std::string dims;
  for (int i = 0; i < 65; ++i) dims += (i ? ",1" : "1");
  CHECK(parse_error(file_of(R"({"w":{"dtype":"F32","shape":[)" + dims + R"(],"data_offsets":[0,4]}})", floats({1}))) ==
        "f.safetensors: tensor 'w': shape has more than 64 dimensions");
  CHECK(parse_error(file_of(R"({"__metadata__": {"k": {"nested": "no"}}})")) ==
        "f.safetensors: __metadata__ entry 'k' must be a string");
  CHECK(parse_error(file_of(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}})", floats({1, 2}))) ==
        "f.safetensors: tensor 'w': data_offsets must be [begin, end]");
  CHECK(parse_error(file_of(R"({"w":{"dtype":"F32","shape":[2]}})", floats({1, 2}))) ==
        "f.safetensors: tensor 'w': expected an object with dtype, shape and data_offsets");
  // Fields the format does not define are skipped, nested or not.
  const safetensors::File f = safetensors::parse(
      file_of(R"({"w":{"note":"x","dtype":"F32","extra":{"a":[1,{"b":2}]},"shape":[2],"data_offsets":[0,8]}})",
              floats({1, 2})));
  CHECK(equal(f.tensors.at(0).second, Tensor({2}, {1, 2})));
}

TEST_CASE("a dtype modtrace cannot read is refused by name") {
  CHECK(parse_error(file_of(R"({"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", floats({1, 2}))) ==
        "f.safetensors: tensor 'w': dtype C64 cannot be read (supported: F32, F64, F16, BF16, I64, I32, I16, I8, "
        "U8, BOOL)");
}

TEST_CASE("offsets out of range, reversed, or disagreeing with the shape are refused") {
  CHECK(parse_error(file_of(one_tensor, floats({1}))) ==
        "f.safetensors: tensor 'w': data_offsets [0, 8] are out of range: the data section has 4 bytes");
  CHECK(parse_error(file_of(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", floats({1, 2}))) ==
        "f.safetensors: tensor 'w': data_offsets [8, 0] end before they begin");
  CHECK(parse_error(file_of(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", floats({1, 2}))) ==
        "f.safetensors: tensor 'w': data_offsets [0, 8] hold 8 bytes, expected 12 for F32 [3]");
}

TEST_CASE("overlapping tensors, gaps and uncovered bytes are refused") {
  CHECK(parse_error(file_of(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                            floats({1, 2}))) == "f.safetensors: tensors 'a' and 'b' overlap in the data section");
  CHECK(parse_error(file_of(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", floats({1, 2}))) ==
        "f.safetensors: bytes [0, 4) of the data section belong to no tensor (before 'a')");
  CHECK(parse_error(file_of(one_tensor, floats({1, 2, 3}))) ==
        "f.safetensors: the data section has 12 bytes but the tensors cover 8");
}

TEST_CASE("a key given twice is refused") {
  CHECK(parse_error(file_of(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                            R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                            floats({1, 2}))) == "f.safetensors: tensor 'w' appears twice in the header");
}

TEST_CASE("loading into a model checks every key and shape first; nothing is half-loaded") {
  Linear fc(2, 2);
  const Tensor before = fc.weight.clone();
  NamedTensors wrong = {{"weight", Tensor::ones({2, 2})}, {"bias", Tensor::ones({3})}};
  const std::string path = "/tmp/modtrace-test-wrong.safetensors";
  safetensors::write(path, wrong);
  CHECK(test::error_of([&] { safetensors::load_into(fc, path); }) ==
        path + ": Error(s) in loading state_dict for Linear:\n"
               "\tsize mismatch for bias: copying a tensor with shape [3], the shape in the current model is [2]");
  CHECK(equal(fc.weight, before));
  safetensors::write(path, {{"weight", Tensor::ones({2, 2})}});
  CHECK(test::error_of([&] { safetensors::load_into(fc, path); }) ==
        path + ": Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: \"bias\"");
  CHECK(equal(fc.weight, before));
  const LoadResult partial = safetensors::load_into(fc, path, false);
  CHECK(partial.missing_keys == std::vector<std::string>{"bias"});
  CHECK(fc.weight.at({1, 1}) == 1.0f);
  std::remove(path.c_str());
}

TEST_CASE("files that cannot be opened or written are errors") {
  CHECK(test::error_of([] { safetensors::read("/nonexistent/w.safetensors"); }) ==
        "cannot open '/nonexistent/w.safetensors': No such file or directory");
  CHECK(test::error_of([] { safetensors::write("/nonexistent/w.safetensors", {}); }) ==
        "cannot write '/nonexistent/w.safetensors': No such file or directory");
  CHECK(test::error_of([] { safetensors::serialize({{"a", Tensor::ones({1})}, {"a", Tensor::ones({1})}}); }) ==
        "safetensors: tensor 'a' is given twice");
  CHECK(test::error_of([] { safetensors::serialize({{"m", Tensor::meta({2})}}); }) ==
        "safetensors: tensor 'm' has no values to write");
}

TEST_CASE("only regular files are read: a FIFO, a device or a directory is refused before reading") {
  const std::string fifo = (std::filesystem::temp_directory_path() / ("modtrace-fifo-" + std::to_string(::getpid()))).string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Would block forever waiting for a writer if it were opened for reading as a stream.
  CHECK(test::error_of([&] { safetensors::read(fifo); }) ==
        "cannot read '" + fifo + "': it is a FIFO, not a safetensors file");
  std::filesystem::remove(fifo);
  // Would read until memory runs out.
  CHECK(test::error_of([] { safetensors::read("/dev/zero"); }) ==
        "cannot read '/dev/zero': it is a character device, not a safetensors file");
  CHECK(test::error_of([] { safetensors::read("/tmp"); }) == "cannot read '/tmp': it is a directory, not a safetensors file");
}

TEST_CASE("a file read views its mapped bytes: tensors outlive the File, and writing one leaves the file alone") {
  const std::string path = (std::filesystem::temp_directory_path() / ("modtrace-map-" + std::to_string(::getpid()) + ".safetensors")).string();
  Linear fc(3, 2);
  safetensors::write(path, fc.state_dict());
  Tensor weight;
  {
    const safetensors::File f = safetensors::read(path);
    weight = f.tensors[0].second;
  }
  CHECK(equal(weight, fc.weight));  // still valid: the tensor keeps the mapping
  weight.data()[0] = 42.0f;         // copy-on-write: the file does not change
  CHECK(equal(safetensors::read(path).tensors[0].second, fc.weight));
  std::filesystem::remove(path);
}

TEST_CASE("truncated and corrupted copies of a real file parse or throw Error, never crash") {
  std::ifstream in(std::string(MODTRACE_TEST_DATA_DIR) + "/squeezenet1_0.safetensors", std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t header_length = 0;
  std::memcpy(&header_length, good.data(), 8);
  int refused = 0, accepted = 0, attempts = 0;
  const auto attempt = [&](const std::string& bytes) {
    ++attempts;
    try {
      safetensors::parse(bytes, "mutated");
      ++accepted;
    } catch (const Error&) {
      ++refused;
    }
  };
  // Every truncation inside the length and header, and a spread through the data.
  for (size_t n = 0; n < 8 + header_length + 64; n += 7) attempt(good.substr(0, n));
  for (size_t n = 8 + header_length; n < good.size(); n += good.size() / 50) attempt(good.substr(0, n));
  // Byte flips through the header (a deterministic pseudo-random walk).
  uint64_t state = 12345;
  for (int i = 0; i < 400; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    std::string bytes = good;
    const size_t at = static_cast<size_t>(state >> 33) % (8 + header_length);
    bytes[at] = static_cast<char>(bytes[at] ^ static_cast<char>(1 + (state >> 13) % 255));
    attempt(bytes);
  }
  // Reaching here without a crash is the point; every attempt ended one of the two ways.
  CHECK(accepted + refused == attempts);
  CHECK(refused > attempts / 2);
  CHECK(accepted > 0);  // flips inside a key or metadata string still make a valid file
}

TEST_CASE("no tensors are written as an empty header object and read back") {
  const std::string bytes = safetensors::serialize({});
  CHECK(bytes.substr(8) == "{}      ");  // padded to 8 bytes, as the format asks
  const safetensors::File file = safetensors::parse(bytes);
  CHECK(file.tensors.empty());
  CHECK(file.metadata.empty());
}
