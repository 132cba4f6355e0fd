// Broken ONNX files (reference/onnx/bad, hand-made by make_onnx_cases.py, and
// damaged here): each import fails with one line naming the file, the node
// or tensor, and what was expected — never a crash.

#include <filesystem>
#include <fstream>

#include "helpers.hpp"

using namespace modtrace;
namespace fs = std::filesystem;

namespace {

std::string bad(const std::string& name) { return std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/bad/" + name + ".onnx"; }

std::string good_bytes() {
  std::ifstream in(std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/patterns/small_resnet.onnx", std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The error of importing `file`, checked to be one line about that file.
std::string import_error(const std::string& file) {
  const std::string e = test::error_of([&] { import_onnx(file); });
  CHECK(e.rfind("cannot import '" + file + "': ", 0) == 0);
  CHECK(e.find('\n') == std::string::npos);
  return e;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an opset outside 7 to 17 is refused, naming the opset") {
  CHECK(has(import_error(bad("opset_18")), "opset 18 is not supported (modtrace reads opsets 7 to 17"));
  CHECK(has(import_error(bad("opset_6")), "opset 6 is not supported"));
}

TEST_CASE("an op modtrace cannot run is named with its node and opset") {
  CHECK(has(import_error(bad("unsupported_op")), "node '/head/Det' (Det, opset 13) is an op modtrace cannot run"));
  CHECK(has(import_error(bad("custom_domain")), "node '/my/MyOp' (MyOp, opset 13) is in domain 'com.example'"));
}

TEST_CASE("a value read before it is made (a missing initializer, a cycle) is named with its reader") {
  CHECK(has(import_error(bad("missing_initializer")), "node '/fc/MatMul' (MatMul, opset 13) reads 'w' before anything makes it"));
  CHECK(has(import_error(bad("cycle")), "node '/Add' (Add, opset 13) reads 'b' before anything makes it"));
  CHECK(has(import_error(bad("made_twice")), "node '/b/Sigmoid' (Sigmoid, opset 13) makes 'y', which something else already made"));
  CHECK(has(import_error(bad("output_never_made")), "output 'z' is never made"));
}

TEST_CASE("absurd sizes are refused before anything is allocated") {
  CHECK(has(import_error(bad("absurd_shape")), "tensor 'w' has an impossible shape"));
  CHECK(has(import_error(bad("absurd_input")), "input 'x' has an impossible size 4611686018427387904"));
  CHECK(has(import_error(bad("raw_data_short")), "tensor 'w' holds 12 bytes, its shape [4, 4] needs 64"));
  // 8 GiB by its shape, nothing in the file: refused before allocating (a fuzzer finding).
  CHECK(has(import_error(bad("large_tensor_without_data")), "tensor 'w' holds 0 values, its shape [2147483648] needs 2147483648"));
}

TEST_CASE("external data must lie beside the model and fit the tensor") {
  CHECK(has(import_error(bad("external_escapes")), "names external data '../secret.bin', which is not a file beside the model"));
  CHECK(has(import_error(bad("external_wrong_length")), "has external data of 10 bytes at offset 0, expected 64 bytes"));
  CHECK(has(import_error(bad("external_past_end")), "initializer 'w' reads past the end of"));
}

TEST_CASE("inputs modtrace cannot feed, and nodes it cannot run as given, are refused at import") {
  CHECK(has(import_error(bad("integer_input")), "input 'x' is not a float tensor"));
  CHECK(has(import_error(bad("asymmetric_pads")), "cannot run node '/conv/Conv' (Conv, opset 13): asymmetric padding [0, 0, 1, 1]"));
}

TEST_CASE("malformed modtrace metadata is refused, saying what is wrong") {
  CHECK(has(import_error(bad("bad_metadata_json")), "its modtrace metadata is malformed: not JSON"));
  CHECK(has(import_error(bad("bad_metadata_calls")), "a call names unknown module 'nowhere'"));
}

TEST_CASE("symbolic input sizes import as -1 and run at the size given") {
  const ImportedModel m = import_onnx(bad("symbolic_input"));
  CHECK(m.input_shapes == std::vector<Shape>{{-1, 4}});
  CHECK(m.model->call({Tensor::full({3, 4}, -1.0f)})[0].shape() == Shape{3, 4});
}

TEST_CASE("empty, truncated and corrupt bytes are refused as not ONNX") {
  const std::string bytes = good_bytes();
  REQUIRE(bytes.size() > 1000);
  auto error_of_bytes = [](const std::string& b) { return test::error_of([&] { import_onnx_bytes(b, "mem.onnx"); }); };
  CHECK(error_of_bytes("") == "cannot import 'mem.onnx': the file is empty");
  CHECK(has(error_of_bytes(bytes.substr(0, bytes.size() / 2)), "cannot import 'mem.onnx': "));
  CHECK(error_of_bytes("this is not a protobuf at all, just text\n") ==
        "cannot import 'mem.onnx': not an ONNX model (the protobuf is truncated or corrupt)");
  std::string flipped = bytes;
  for (size_t i = 100; i < flipped.size(); i += 97) flipped[i] = static_cast<char>(~flipped[i]);
  CHECK(has(error_of_bytes(flipped), "cannot import 'mem.onnx': "));
}

TEST_CASE("a missing file, a directory and a file of 2 GiB or more are refused without reading them") {
  const fs::path dir = fs::temp_directory_path() / ("modtrace-onnx-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  CHECK(import_error((dir / "absent.onnx").string()) == "cannot import '" + (dir / "absent.onnx").string() + "': no such file");
  CHECK(has(import_error(dir.string()), "it is a directory, not an ONNX file"));
  // A sparse file: 2 GiB of size, no blocks on disk.
  const fs::path huge = dir / "huge.onnx";
  { std::ofstream(huge, std::ios::binary) << ' '; }
  fs::resize_file(huge, uintmax_t{1} << 31);
  CHECK(has(import_error(huge.string()), "the file is 2048 MiB, more than the 2 GiB a protobuf can hold"));
  fs::remove_all(dir);
}

TEST_CASE("a failure while running an imported model names the node and the module") {
  const ImportedModel m = import_onnx(std::string(MODTRACE_TEST_DATA_DIR) + "/onnx/patterns/small_resnet.onnx");
  try {
    m.model->call({Tensor::ones({1, 4, 16, 16})});
    FAIL("a 4-channel input ran through a 3-channel conv");
  } catch (const Error& e) {
    CHECK(e.module_path() == "conv1");
    CHECK(e.source() == "small_resnet.onnx: /conv1/Conv");
    CHECK(has(e.message(), "conv2d: input has 4 channels, expected 3"));
  }
}
