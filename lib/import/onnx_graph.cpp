// Reading an ONNX file: protobuf into the plain Graph of onnx_graph.hpp, with
// every check a hostile or broken file needs (sizes, types, order, external
// data) done here, so the rest of the importer can trust what it reads.

#include "import/onnx_graph.hpp"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>

#include "core/half.hpp"
#include "modtrace/error.hpp"

namespace modtrace::detail::onnx {

std::vector<int64_t> StaticValue::ints() const {
  std::vector<int64_t> out;
  out.reserve(values.size());
  for (double v : values) {
    // A file may hold anything: saturate instead of converting out of range (undefined).
    constexpr double kLimit = 9.2e18;
    out.push_back(std::isnan(v) ? 0 : v >= kLimit ? std::numeric_limits<int64_t>::max()
                                  : v <= -kLimit ? std::numeric_limits<int64_t>::min()
                                                 : static_cast<int64_t>(v));
  }
  return out;
}

Tensor StaticValue::tensor() const {
  std::vector<float> data;
  data.reserve(values.size());
  for (double v : values) data.push_back(static_cast<float>(v));
  return Tensor(dims, std::move(data));
}

StaticValue StaticValue::from(const Tensor& t, bool integer) {
  StaticValue s;
  s.dims = t.shape();
  s.integer = integer;
  for (float v : t.values()) s.values.push_back(v);
  return s;
}

std::string describe(const Graph& graph, const Node& node) {
  return "node '" + (node.name.empty() ? node.outputs.empty() ? std::string("?") : node.outputs[0] : node.name) +
         "' (" + node.op_type + ", opset " + std::to_string(graph.opset) + ")";
}

namespace {

constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 17;
// No tensor of a real model comes near this: a bound on what a hostile file can ask us to allocate.
constexpr int64_t kMaxElements = int64_t{1} << 34;
// Missing weights filled with zeros: 8 GiB per tensor at most (the largest
// tensors of real models are a few hundred million elements).
constexpr int64_t kMaxZeros = int64_t{1} << 31;

[[noreturn]] void fail(const std::string& origin, const std::string& what) {
  throw Error("cannot import '" + origin + "': " + what);
}

bool is_float_type(int type) {
  return type == ::onnx::TensorProto_DataType_FLOAT || type == ::onnx::TensorProto_DataType_DOUBLE ||
         type == ::onnx::TensorProto_DataType_FLOAT16 || type == ::onnx::TensorProto_DataType_BFLOAT16;
}

bool is_integer_type(int type) {
  switch (type) {
    case ::onnx::TensorProto_DataType_INT64:
    case ::onnx::TensorProto_DataType_INT32:
    case ::onnx::TensorProto_DataType_INT16:
    case ::onnx::TensorProto_DataType_INT8:
    case ::onnx::TensorProto_DataType_UINT8:
    case ::onnx::TensorProto_DataType_UINT16:
    case ::onnx::TensorProto_DataType_UINT32:
    case ::onnx::TensorProto_DataType_UINT64:
    case ::onnx::TensorProto_DataType_BOOL: return true;
    default: return false;
  }
}

size_t element_size(int type) {
  switch (type) {
    case ::onnx::TensorProto_DataType_DOUBLE:
    case ::onnx::TensorProto_DataType_INT64:
    case ::onnx::TensorProto_DataType_UINT64: return 8;
    case ::onnx::TensorProto_DataType_FLOAT:
    case ::onnx::TensorProto_DataType_INT32:
    case ::onnx::TensorProto_DataType_UINT32: return 4;
    case ::onnx::TensorProto_DataType_FLOAT16:
    case ::onnx::TensorProto_DataType_BFLOAT16:
    case ::onnx::TensorProto_DataType_INT16:
    case ::onnx::TensorProto_DataType_UINT16: return 2;
    default: return 1;
  }
}

// One element of raw little-endian data as a double.
double read_element(const char* p, int type) {
  auto as = [p](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, p, sizeof v);
    return static_cast<double>(v);
  };
  switch (type) {
    case ::onnx::TensorProto_DataType_FLOAT: return as(float{});
    case ::onnx::TensorProto_DataType_DOUBLE: return as(double{});
    case ::onnx::TensorProto_DataType_FLOAT16: {
      uint16_t h;
      std::memcpy(&h, p, 2);
      return detail::half_to_float(h);
    }
    case ::onnx::TensorProto_DataType_BFLOAT16: {
      uint16_t b;
      std::memcpy(&b, p, 2);
      return detail::bfloat16_to_float(b);
    }
    case ::onnx::TensorProto_DataType_INT64: return as(int64_t{});
    case ::onnx::TensorProto_DataType_UINT64: return as(uint64_t{});
    case ::onnx::TensorProto_DataType_INT32: return as(int32_t{});
    case ::onnx::TensorProto_DataType_UINT32: return as(uint32_t{});
    case ::onnx::TensorProto_DataType_INT16: return as(int16_t{});
    case ::onnx::TensorProto_DataType_UINT16: return as(uint16_t{});
    case ::onnx::TensorProto_DataType_INT8: return as(int8_t{});
    default: return as(uint8_t{});  // uint8, bool
  }
}

// External data: {"location": "model.onnx.data", "offset": "0", "length": "…"} relative to the model.
// Nullopt when the data file is absent (weights left out on purpose, or lost).
std::optional<std::string> read_external(const ::onnx::TensorProto& t, const std::string& origin,
                                         const std::string& base_dir, size_t expected) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& entry : t.external_data()) {
    try {
      if (entry.key() == "location") location = entry.value();
      else if (entry.key() == "offset") offset = std::stoll(entry.value());
      else if (entry.key() == "length") length = std::stoll(entry.value());
    } catch (const std::exception&) {
      fail(origin, "initializer '" + t.name() + "' has an unreadable external data " + entry.key());
    }
  }
  const std::filesystem::path relative(location);
  // The data must lie beside the model: no absolute paths, no climbing out.
  if (location.empty() || relative.is_absolute() ||
      std::any_of(relative.begin(), relative.end(), [](const auto& part) { return part == ".."; })) {
    fail(origin, "initializer '" + t.name() + "' names external data '" + location +
                     "', which is not a file beside the model");
  }
  if (length < 0) length = static_cast<int64_t>(expected);
  if (offset < 0 || static_cast<size_t>(length) != expected) {
    fail(origin, "initializer '" + t.name() + "' has external data of " + std::to_string(length) + " bytes at offset " +
                     std::to_string(offset) + ", expected " + std::to_string(expected) + " bytes");
  }
  const std::filesystem::path file = std::filesystem::path(base_dir) / relative;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  if (!std::filesystem::is_regular_file(file, ec)) {
    fail(origin, "the external data '" + file.string() + "' of initializer '" + t.name() + "' is not a file");
  }
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || static_cast<uint64_t>(offset) + static_cast<uint64_t>(length) > size) {
    fail(origin, "initializer '" + t.name() + "' reads past the end of '" + file.string() + "'");
  }
  std::ifstream in(file, std::ios::binary);
  std::string data(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(data.data(), length);
  if (!in) fail(origin, "cannot read the external data of initializer '" + t.name() + "' from '" + file.string() + "'");
  return data;
}

struct ReadTensor {
  Shape dims;
  int type = 0;
  std::vector<double> values;  // small tensors and integers
  Tensor floats;               // float tensors, as float32
  bool external_missing = false;
};

ReadTensor read_tensor(const ::onnx::TensorProto& t, const std::string& origin, const std::string& base_dir,
                       bool as_floats, MissingWeights missing) {
  ReadTensor r;
  r.type = t.data_type();
  if (!is_float_type(r.type) && !is_integer_type(r.type)) {
    fail(origin, "tensor '" + t.name() + "' has data type " + std::to_string(r.type) +
                     ", which modtrace cannot read (it reads floats, integers and booleans)");
  }
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > kMaxElements / d)) {
      fail(origin, "tensor '" + t.name() + "' has an impossible shape (a negative or enormous size)");
    }
    n *= d;
    r.dims.push_back(d);
  }
  const size_t bytes = static_cast<size_t>(n) * element_size(r.type);
  std::string external;
  const std::string* raw = nullptr;
  if (t.data_location() == ::onnx::TensorProto_DataLocation_EXTERNAL) {
    std::optional<std::string> data = read_external(t, origin, base_dir, bytes);
    if (!data) {
      if (missing == MissingWeights::refuse || !as_floats) {
        throw Error("cannot import '" + origin + "': the external data file of initializer '" + t.name() +
                    "' is missing (to import the structure alone: ImportOptions::missing_weights, modtrace --missing-weights)");
      }
      r.external_missing = true;
      // Zeros are allocated: bound them as a real file's data would be (its file size).
      if (missing == MissingWeights::zeros && n > kMaxZeros) {
        fail(origin, "tensor '" + t.name() + "' has " + std::to_string(n) +
                         " elements, too many to fill with zeros (import it shape-only)");
      }
      r.floats = missing == MissingWeights::zeros ? Tensor::zeros(r.dims) : Tensor::meta(r.dims);
      return r;
    }
    external = std::move(*data);
    raw = &external;
  } else if (t.has_raw_data()) {
    raw = &t.raw_data();
  }
  // How many values the file really holds, checked before anything is
  // allocated: the shape alone must not make us allocate gigabytes.
  int64_t count = 0;
  if (raw == nullptr) {
    switch (r.type) {
      case ::onnx::TensorProto_DataType_FLOAT: count = t.float_data_size(); break;
      case ::onnx::TensorProto_DataType_DOUBLE: count = t.double_data_size(); break;
      case ::onnx::TensorProto_DataType_INT64: count = t.int64_data_size(); break;
      case ::onnx::TensorProto_DataType_UINT32:
      case ::onnx::TensorProto_DataType_UINT64: count = t.uint64_data_size(); break;
      default: count = t.int32_data_size(); break;  // int32 and smaller, bool, float16 as bits
    }
    if (count != n) {
      fail(origin, "tensor '" + t.name() + "' holds " + std::to_string(count) + " values, its shape " +
                       to_string(r.dims) + " needs " + std::to_string(n));
    }
  } else if (raw->size() != bytes) {
    fail(origin, "tensor '" + t.name() + "' holds " + std::to_string(raw->size()) + " bytes, its shape " +
                     to_string(r.dims) + " needs " + std::to_string(bytes));
  }
  auto store = [&](int64_t i, double v) {
    if (as_floats) r.floats.data()[i] = static_cast<float>(v);
    else r.values[static_cast<size_t>(i)] = v;
  };
  if (as_floats) r.floats = Tensor::empty(r.dims);
  else r.values.resize(static_cast<size_t>(n));
  if (raw != nullptr) {
    const size_t step = element_size(r.type);
    for (int64_t i = 0; i < n; ++i) store(i, read_element(raw->data() + static_cast<size_t>(i) * step, r.type));
    return r;
  }
  for (int64_t i = 0; i < n; ++i) {
    double v = 0.0;
    switch (r.type) {
      case ::onnx::TensorProto_DataType_FLOAT: v = t.float_data(static_cast<int>(i)); break;
      case ::onnx::TensorProto_DataType_DOUBLE: v = t.double_data(static_cast<int>(i)); break;
      case ::onnx::TensorProto_DataType_INT64: v = static_cast<double>(t.int64_data(static_cast<int>(i))); break;
      case ::onnx::TensorProto_DataType_UINT32:
      case ::onnx::TensorProto_DataType_UINT64: v = static_cast<double>(t.uint64_data(static_cast<int>(i))); break;
      case ::onnx::TensorProto_DataType_FLOAT16:
        v = detail::half_to_float(static_cast<uint16_t>(t.int32_data(static_cast<int>(i))));
        break;
      default: v = t.int32_data(static_cast<int>(i)); break;
    }
    store(i, v);
  }
  return r;
}

StaticValue to_static(ReadTensor&& r) {
  StaticValue s;
  s.dims = std::move(r.dims);
  s.values = std::move(r.values);
  s.integer = is_integer_type(r.type);
  return s;
}

Attribute read_attribute(const ::onnx::AttributeProto& a, const std::string& origin) {
  Attribute out;
  switch (a.type()) {
    case ::onnx::AttributeProto_AttributeType_INT:
      out.kind = Attribute::Kind::integer;
      out.i = a.i();
      break;
    case ::onnx::AttributeProto_AttributeType_FLOAT:
      out.kind = Attribute::Kind::real;
      out.f = a.f();
      break;
    case ::onnx::AttributeProto_AttributeType_STRING:
      out.kind = Attribute::Kind::text;
      out.s = a.s();
      break;
    case ::onnx::AttributeProto_AttributeType_INTS:
      out.kind = Attribute::Kind::ints;
      out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case ::onnx::AttributeProto_AttributeType_FLOATS:
      out.kind = Attribute::Kind::reals;
      out.reals.assign(a.floats().begin(), a.floats().end());
      break;
    case ::onnx::AttributeProto_AttributeType_TENSOR:
      out.kind = Attribute::Kind::tensor;
      out.tensor = to_static(read_tensor(a.t(), origin, "", false, MissingWeights::refuse));
      break;
    default: out.kind = Attribute::Kind::other; break;
  }
  return out;
}

// "/layer1/layer1.0/conv1/Conv" -> {"layer1", "layer1.0", "conv1"}; names
// without a leading '/' (initializer Identity nodes) belong to the root.
std::vector<std::string> scope_of(const std::string& name) {
  std::vector<std::string> parts;
  if (name.empty() || name[0] != '/') return parts;
  size_t start = 1;
  while (true) {
    const size_t slash = name.find('/', start);
    if (slash == std::string::npos) break;  // the last part names the op itself
    parts.push_back(name.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// Ops whose output depends on their input's shape only.
bool shape_only_op(const std::string& op) { return op == "Shape" || op == "Size"; }

}  // namespace

Graph read_graph(const std::string& bytes, const std::string& origin, const std::string& base_dir,
                 const ImportOptions& options) {
  ::onnx::ModelProto model;
  if (bytes.empty()) fail(origin, "the file is empty");
  if (!model.ParseFromString(bytes)) fail(origin, "not an ONNX model (the protobuf is truncated or corrupt)");
  if (!model.has_graph()) fail(origin, "the model has no graph");
  Graph g;
  g.origin = origin;
  g.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());
  for (const auto& opset : model.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") g.opset = opset.version();
  }
  if (g.opset == 0) fail(origin, "the model imports no version of the default ONNX operator set");
  if (g.opset < kMinOpset || g.opset > kMaxOpset) {
    fail(origin, "opset " + std::to_string(g.opset) + " is not supported (modtrace reads opsets " +
                     std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) +
                     "; PyTorch 1.13 exports up to 17)");
  }
  for (const auto& p : model.metadata_props()) g.metadata[p.key()] = p.value();
  const ::onnx::GraphProto& graph = model.graph();

  std::set<std::string> known;
  for (const auto& init : graph.initializer()) {
    if (init.name().empty()) fail(origin, "an initializer has no name");
    if (!known.insert(init.name()).second) fail(origin, "initializer '" + init.name() + "' is defined twice");
    const bool is_float = is_float_type(init.data_type());
    ReadTensor r = read_tensor(init, origin, base_dir, is_float, options.missing_weights);
    Initializer out;
    out.dims = r.dims;
    out.is_float = is_float;
    if (r.external_missing) g.weights_missing = true;
    if (is_float) out.tensor = std::move(r.floats);
    else out.value = to_static(std::move(r));
    g.is_data[init.name()] = is_float;
    g.initializers.emplace(init.name(), std::move(out));
  }
  for (const auto& input : graph.input()) {
    if (known.count(input.name())) continue;  // older exporters list initializers as inputs too
    if (!known.insert(input.name()).second) fail(origin, "input '" + input.name() + "' is defined twice");
    const auto& type = input.type();
    if (!type.has_tensor_type() || !is_float_type(type.tensor_type().elem_type())) {
      fail(origin, "input '" + input.name() + "' is not a float tensor; modtrace feeds float tensors only");
    }
    Shape shape;
    for (const auto& d : type.tensor_type().shape().dim()) {
      // A symbolic size (dim_param) is unknown: -1, to be given by the caller.
      if (d.has_dim_value() && (d.dim_value() <= 0 || d.dim_value() > kMaxElements)) {
        fail(origin, "input '" + input.name() + "' has an impossible size " + std::to_string(d.dim_value()));
      }
      shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
    }
    g.inputs.push_back(input.name());
    g.input_shapes.push_back(shape);
    g.is_data[input.name()] = true;
  }
  if (g.inputs.empty()) fail(origin, "the graph has no inputs to feed");

  for (const auto& n : graph.node()) {
    Node node;
    node.op_type = n.op_type();
    node.name = n.name();
    node.domain = n.domain();
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    node.scope = scope_of(n.name());
    for (const auto& a : n.attribute()) node.attributes.emplace(a.name(), read_attribute(a, origin));
    if (!node.domain.empty() && node.domain != "ai.onnx") {
      throw Error("cannot import '" + origin + "': " + describe(g, node) + " is in domain '" + node.domain +
                  "', which modtrace cannot run (export without custom ops or export_modules_as_functions)");
    }
    bool data = false;
    for (const auto& in : node.inputs) {
      if (in.empty()) continue;
      const auto it = g.is_data.find(in);
      if (it == g.is_data.end()) {
        throw Error("cannot import '" + origin + "': " + describe(g, node) + " reads '" + in +
                    "' before anything makes it (the graph is out of order, has a cycle, or lacks an initializer)");
      }
      data = data || it->second;
    }
    node.data = data && !shape_only_op(node.op_type);
    for (const auto& out : node.outputs) {
      if (out.empty()) continue;
      if (!g.is_data.emplace(out, node.data).second) {
        throw Error("cannot import '" + origin + "': " + describe(g, node) + " makes '" + out +
                    "', which something else already made");
      }
    }
    g.nodes.push_back(std::move(node));
  }
  for (const auto& output : graph.output()) {
    if (!g.is_data.count(output.name())) fail(origin, "output '" + output.name() + "' is never made");
    g.outputs.push_back(output.name());
  }
  if (g.outputs.empty()) fail(origin, "the graph has no outputs");
  return g;
}

}  // namespace modtrace::detail::onnx
