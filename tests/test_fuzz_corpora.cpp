// Every fuzz harness (tests/fuzz/harness.hpp) over its seed corpus, on every
// build: each input must be accepted or refused with a modtrace::Error, and
// the harness's invariants must hold. The corpora hold what a user might
// type or a file might contain, valid and not; tools/fuzz.sh grows from them.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz/harness.hpp"
#include "helpers.hpp"

namespace fs = std::filesystem;

namespace {

struct Outcome {
  int accepted = 0;
  int refused = 0;
};

// Runs `harness` on every file of `folder`; a broken invariant or an
// exception that is not an Error fails the test, naming the file.
template <class Harness>
Outcome replay(const fs::path& folder, Harness harness) {
  Outcome outcome;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE_MESSAGE(!files.empty(), "no seed files in " << folder);
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      harness(bytes);
      ++outcome.accepted;
    } catch (const modtrace::Error&) {
      ++outcome.refused;
    } catch (const std::exception& e) {
      FAIL_CHECK(file.filename().string() << ": " << e.what());
    }
  }
  return outcome;
}

const fs::path kCorpus = MODTRACE_FUZZ_CORPUS_DIR;

}  // namespace

// Each corpus holds inputs of both kinds: the counts fail if a parser
// starts accepting what it refused (or the reverse) for all of them.
TEST_CASE("the safetensors seeds parse and survive a round trip, or are refused") {
  const Outcome o = replay(kCorpus / "safetensors", fuzz::safetensors);
  CHECK(o.accepted == 5);  // incl. a file with no tensors: serialize once wrote it as "null", which parse refuses
  CHECK(o.refused == 1);   // the truncated file
}

TEST_CASE("the ONNX seeds import or are refused") {
  const fs::path patterns_folder = fs::path(MODTRACE_TEST_DATA_DIR) / "onnx" / "patterns";
  const Outcome patterns = replay(patterns_folder, fuzz::onnx);
  int onnx_files = 0;
  for (const auto& entry : fs::directory_iterator(patterns_folder)) onnx_files += entry.path().extension() == ".onnx";
  CHECK(patterns.accepted == onnx_files);
  CHECK(patterns.refused == 1);  // small_resnet.external.onnx.data: raw weights, no protobuf
  const Outcome bad = replay(fs::path(MODTRACE_TEST_DATA_DIR) / "onnx" / "bad", fuzz::onnx);
  CHECK(bad.accepted == 2);  // broken only in what a shape-only import does not read (weights, values)
  CHECK(bad.refused == 19);
}

TEST_CASE("the shape seeds parse back to their canonical text, or are refused") {
  const Outcome o = replay(kCorpus / "shape", fuzz::shape);
  CHECK(o.accepted == 6);  // 1x3x224x224, 2x2, 7, 64 ones, 9223372036854775807x2, 01x3
  CHECK(o.refused == 8);
}

TEST_CASE("the memory size seeds parse back, or are refused") {
  const Outcome o = replay(kCorpus / "byte_size", fuzz::byte_size);
  CHECK(o.accepted == 8);  // 8G 512M 1.5GiB 50% 2048 1e3K " 8 GB " 100%
  CHECK(o.refused == 9);   // incl. 0.0000001K: less than a byte
}

TEST_CASE("the module path seeds name the module named_modules lists, or are refused") {
  const Outcome o = replay(kCorpus / "module_path", fuzz::module_path);
  CHECK(o.accepted == 9);  // "" (the root), layer1, layer1.0, layer1.0.conv1, layer2.0.downsample.0, layer4.1.bn2,
                           // fc, and two buffer keys
  CHECK(o.refused == 11);  // empty parts, missing children, "layer1\0.0", "00", "-1", a huge index, a
                           // parameter asked for as a buffer
}
