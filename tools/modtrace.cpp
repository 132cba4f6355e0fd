// modtrace: the command-line front end. A thin layer over the library: it
// parses arguments (CLI11), calls the library, prints or writes results.
//
// Exit status: 0 success; 1 runtime error (one line on stderr); 2 bad usage;
// 3 `diff --check` found the children-only Sequential not equivalent.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "modtrace/modtrace.hpp"
#include "completion.hpp"
#include "progress.hpp"

namespace {

using namespace modtrace;
using tool::progress;

// The library's stage reports, onto the progress line.
void show_stage(std::string_view stage) { progress().stage(std::string(stage)); }

// A problem with the arguments themselves: exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr int kNotEquivalent = 3;

// The library's parser; bad text is a usage error.
Shape parse_shape(const std::string& text) {
  try {
    return modtrace::parse_shape(text, "--input-shape");
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
}

std::string extension_of(const std::string& path) { return std::filesystem::path(path).extension().string(); }

void require_extension(const std::string& path, const std::vector<std::string>& allowed) {
  const std::string ext = extension_of(path);
  if (std::find(allowed.begin(), allowed.end(), ext) != allowed.end()) return;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw UsageError("cannot write '" + path + "': the extension must be one of " + list);
}

void write_text(const std::string& path, const std::string& text) { write_file(path, text); }

// "--depth must be 0 or more" (CLI11's NonNegativeNumber prints its range as a 309-digit double).
const CLI::Validator kNonNegative(
    [](std::string& text) -> std::string {
      int64_t value = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return "must be 0 or more, got '" + text + "'";
      return "";
    },
    "INT>=0");

// Standard output with ASCII control bytes other than newline and tab shown as
// \xNN: reports print names from plugins and files, which must not be able
// to drive the terminal (an ESC sequence in a module name). JSON and code
// never contain such bytes (JSON escapes them), so only hostile names change.
class TerminalSafeOutput : public std::streambuf {
 public:
  explicit TerminalSafeOutput(std::streambuf* target) : target_(target) {}

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7f) {
      char escaped[8];
      const int n = std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      return target_->sputn(escaped, n) == n ? c : traits_type::eof();
    }
    return target_->sputc(static_cast<char>(byte)) == traits_type::eof() ? traits_type::eof() : c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) {
      if (overflow(static_cast<unsigned char>(s[i])) == traits_type::eof()) return i;
    }
    return n;
  }
  int sync() override { return target_->pubsync(); }

 private:
  std::streambuf* target_;
};

// One line for the terminal: a multi-line message (PyTorch's state_dict
// errors) joined with "; ", and control bytes shown as \xNN so a name from a
// file or plugin cannot drive the terminal.
std::string one_line(const std::string& message) {
  std::string out;
  bool line_start = false;
  for (const char ch : message) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      line_start = true;
      continue;
    }
    if (line_start) {
      if (c == '\t' || c == ' ') continue;
      out += out.empty() || out.back() == ':' ? " " : "; ";
      line_start = false;
    }
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += ch;
    }
  }
  return out;
}

// ---- which model, with which weights, on which input ----

struct ModelOptions {
  std::string model;
  std::string input;                      // ones | zeros | deterministic; "" = the model's default
  std::vector<std::string> input_shapes;  // one per input; none = the model's defaults
  std::string weights;                    // safetensors file
  std::string init = "default";
  std::string missing_weights = "refuse"; // ONNX files whose external weights are absent
};

// A model argument naming an ONNX file rather than a zoo model.
bool is_onnx_file(const std::string& model) {
  std::string ext = extension_of(model);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".onnx";
}

void add_model_options(CLI::App* cmd, ModelOptions& o) {
  cmd->add_option("model", o.model, "Model name (see `modtrace models`) or an ONNX file (model.onnx)")->required();
  cmd->add_option("--input", o.input, "Input values: ones, zeros or deterministic (default: the model's)")
      ->check(CLI::IsMember({"ones", "zeros", "deterministic"}));
  cmd->add_option("--input-shape", o.input_shapes,
                  "Input shape, e.g. 1x3x224x224 (default: the model's); once per input for a model with several")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->expected(1);
  cmd->add_option("--weights", o.weights, "Load weights from a .safetensors file (keys as in state_dict)");
  cmd->add_option("--init", o.init, "Weights: default (PyTorch's layer init) or deterministic (the reference rule)")
      ->check(CLI::IsMember({"default", "deterministic"}));
  cmd->add_option("--missing-weights", o.missing_weights,
                  "ONNX file whose external weight file is absent: refuse, shapes (run shape-only) or zeros")
      ->check(CLI::IsMember({"refuse", "shapes", "zeros"}));
}

struct Loaded {
  zoo::ModelInfo info;
  std::shared_ptr<Module> model;
  Tensors inputs;
};

// Checks the arguments (usage errors) before doing any work.
void check_model_options(const ModelOptions& o) {
  if (is_onnx_file(o.model)) {
    for (const auto& shape : o.input_shapes) parse_shape(shape);
    return;  // the file says how many inputs it takes
  }
  if (o.missing_weights != "refuse") throw UsageError("--missing-weights applies to ONNX files only");
  if (!zoo::contains(o.model)) {
    std::string known;
    for (const auto& n : zoo::names()) known += (known.empty() ? "" : ", ") + n;
    throw UsageError("unknown model '" + o.model + "'; the zoo has: " + known);
  }
  const size_t expected = zoo::info(o.model).input_shapes.size();
  if (!o.input_shapes.empty() && o.input_shapes.size() != expected) {
    throw UsageError("model '" + o.model + "' takes " + std::to_string(expected) +
                     (expected == 1 ? " input" : " inputs") + "; give --input-shape once per input (" +
                     std::to_string(expected) + (expected == 1 ? " time" : " times") + "), or not at all, got " +
                     std::to_string(o.input_shapes.size()));
  }
  for (const auto& shape : o.input_shapes) parse_shape(shape);
}

// An ONNX file: the model, its input shapes from the file (symbolic sizes
// must come from --input-shape), and what the importer could not know.
// Inputs of these shapes: real ones, or for shape-only work meta tensors, so
// nothing is allocated or filled (a 1x3x8000x8000 input was 768 MB).
Tensors make_inputs(const std::string& kind, zoo::InputKind default_kind, const std::vector<Shape>& shapes, bool shape_only) {
  if (!shape_only) {
    const zoo::InputKind values = kind.empty() ? default_kind : zoo::parse_input_kind(kind);
    try {
      return zoo::make_inputs(values, shapes);
    } catch (const Error& e) {
      throw Error("making the input: " + std::string(e.what()));
    }
  }
  if (!kind.empty()) zoo::parse_input_kind(kind);  // still checked
  Tensors inputs;
  for (const Shape& shape : shapes) inputs.push_back(Tensor::meta(shape));
  return inputs;
}

Loaded load_onnx(const ModelOptions& o, bool shape_only) {
  ImportOptions options;
  options.missing_weights = o.missing_weights == "shapes"  ? MissingWeights::shapes_only
                            : o.missing_weights == "zeros" ? MissingWeights::zeros
                                                           : MissingWeights::refuse;
  progress().stage("reading " + o.model);
  ImportedModel imported = import_onnx(o.model, options);
  if (!o.input_shapes.empty() && o.input_shapes.size() != imported.input_shapes.size()) {
    const size_t n = imported.input_shapes.size();
    throw UsageError("'" + o.model + "' takes " + std::to_string(n) + (n == 1 ? " input" : " inputs") +
                     "; give --input-shape once per input, or not at all, got " + std::to_string(o.input_shapes.size()));
  }
  Loaded l;
  l.info.name = o.model;
  l.info.input_shapes = imported.input_shapes;
  for (size_t i = 0; i < o.input_shapes.size(); ++i) l.info.input_shapes[i] = parse_shape(o.input_shapes[i]);
  for (size_t i = 0; i < l.info.input_shapes.size(); ++i) {
    const Shape& shape = l.info.input_shapes[i];
    if (std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; })) {
      throw UsageError("input '" + imported.input_names[i] + "' of '" + o.model + "' has symbolic sizes " +
                       to_string(shape) + " (-1 is symbolic); give its shape with --input-shape");
    }
  }
  progress().clear();
  for (const auto& note : imported.notes) std::cerr << "modtrace: note: " << one_line(note) << "\n";
  l.model = imported.model;
  if (o.init == "deterministic") init::deterministic(*l.model);
  if (!o.weights.empty()) {
    progress().stage("loading " + o.weights);
    safetensors::load_into(*l.model, o.weights);
  }
  l.inputs = make_inputs(o.input, zoo::InputKind::deterministic, l.info.input_shapes, shape_only);
  return l;
}

// The model with its weights, and its inputs (meta tensors when `shape_only`).
Loaded load(const ModelOptions& o, bool shape_only = false) {
  if (is_onnx_file(o.model)) return load_onnx(o, shape_only);
  Loaded l;
  l.info = zoo::info(o.model);
  progress().stage("building " + o.model);
  try {
    l.model = zoo::create(o.model);
  } catch (const Error& e) {
    // Its parameters may not fit the memory limit: say it was the model.
    throw Error("building " + o.model + ": " + e.what());
  }
  if (o.init == "deterministic") init::deterministic(*l.model);
  if (!o.weights.empty()) {
    progress().stage("loading " + o.weights);
    safetensors::load_into(*l.model, o.weights);
  }
  std::vector<Shape> shapes = l.info.input_shapes;
  for (size_t i = 0; i < o.input_shapes.size(); ++i) shapes[i] = parse_shape(o.input_shapes[i]);
  l.inputs = make_inputs(o.input, l.info.input, shapes, shape_only);
  return l;
}

// ---- commands ----

int list_models() {
  for (const auto& m : zoo::models()) {
    std::string shapes;
    for (const auto& s : m.input_shapes) shapes += (shapes.empty() ? "" : ", ") + to_string(s);
    char line[64];
    std::snprintf(line, sizeof line, "%-18s %-18s ", m.name.c_str(), shapes.c_str());
    std::cout << line << m.description << "\n";
  }
  return 0;
}

struct RunOptions {
  ModelOptions model;
  std::string output_json;
  bool children = false;
};

int run_model(const RunOptions& o) {
  if (!o.output_json.empty()) require_extension(o.output_json, {".json"});
  Loaded l = load(o.model);
  const auto watch = progress().watch_children(*l.model);
  progress().stage(o.children ? "running the children-only Sequential" : "running " + l.model->type_name());
  if (o.children) l.model = children_sequential(*l.model);
  const Tensors outputs = l.model->call(l.inputs);
  progress().clear();
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs.size() > 1) std::cout << "output " << i << ":\n";
    std::cout << outputs[i] << "\n";
  }
  if (!o.output_json.empty()) write_text(o.output_json, tensor_to_json(outputs.front()) + "\n");
  return 0;
}

struct TraceCommand {
  ModelOptions model;
  int depth = 0;
  bool shape_only = false;
  bool show_parameters = false;
  bool roll = false;
  std::string format = "table";
  std::string output;
};

// A text table whose columns are as wide as their widest cell (at least
// `width`), so a long module path never pushes the next columns out of line.
class Table {
 public:
  struct Column {
    std::string header;
    size_t width;
    bool right = false;  // numbers
  };
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {
    for (auto& c : columns_) c.width = std::max(c.width, c.header.size());
  }
  void add(std::vector<std::string> row) {
    for (size_t i = 0; i < row.size() && i < columns_.size(); ++i) columns_[i].width = std::max(columns_[i].width, row[i].size());
    rows_.push_back(std::move(row));
  }
  size_t width() const {
    size_t w = 0;
    for (const auto& c : columns_) w += c.width + 1;
    return w == 0 ? 0 : w - 1;
  }
  void print_header() const { print_row(headers()); }
  void print_rows() const {
    for (const auto& row : rows_) print_row(row);
  }

 private:
  std::vector<std::string> headers() const {
    std::vector<std::string> h;
    for (const auto& c : columns_) h.push_back(c.header);
    return h;
  }
  void print_row(const std::vector<std::string>& row) const {
    std::string line;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      const std::string pad(columns_[i].width > cell.size() ? columns_[i].width - cell.size() : 0, ' ');
      // The last column is not padded: no trailing blanks.
      line += (i ? " " : "") + (columns_[i].right ? pad + cell : cell + (i + 1 < columns_.size() ? pad : ""));
    }
    std::cout << line << "\n";
  }
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

void print_trace_table(const Trace& t) {
  Table table({{"#", 4}, {"name", 24}, {"op", 20}, {"ownership", 13}, {"module", 28}, {"shape", 22}, {"source", 0}});
  // What extract --nodes takes: an op that a module call returned is shown
  // by the innermost such call ("layer1.0.relu_1", as torch.fx names it),
  // any other op by its own name ("layer1.0.add").
  std::map<Vertex, std::string> names;
  std::map<Vertex, int> depth;
  for (const NamedValue& n : value_names(t)) {
    if (!n.is_call) {
      names.emplace(n.op, n.name);
      continue;
    }
    const ModuleCall& c = t.calls()[static_cast<size_t>(n.call)];
    for (Vertex out : c.outputs()) {
      if (t.graph()[out].kind != NodeKind::op) continue;
      const auto d = depth.find(out);
      if (d == depth.end() || d->second < c.depth) {
        depth[out] = c.depth;
        names[out] = n.name;
      }
    }
  }
  int index = 0;
  for (Vertex v : t.op_nodes()) {
    const Node& n = t.graph()[v];
    const Ownership o = t.ownership(v);
    const char* ownership = o.functional() ? "functional" : o.module_owned() ? "module-owned" : "outside";
    const std::string module = o.innermost_call >= 0 && !o.module.empty() ? o.module : "(root)";
    const std::string shape = n.kind == NodeKind::failed_op ? std::string("FAILED")
                              : n.output_shapes().empty()       ? to_string(n.shape())
                                                              : to_string(n.output_shapes());
    const std::string source = n.source.line() || n.origin().empty() ? source_text(n.source) : std::string(n.origin());
    table.add({std::to_string(++index), names[v], std::string(n.op_name()), ownership, module, shape, source});
  }
  table.print_header();
  table.print_rows();
}

int trace_model(const TraceCommand& c) {
  if (!c.output.empty()) require_extension(c.output, {".dot", ".svg", ".png", ".html", ".json"});
  const Loaded l = load(c.model, c.shape_only);
  const auto watch = progress().watch_children(*l.model);
  progress().stage("tracing " + l.model->type_name());
  const Trace t = trace_module(*l.model, l.inputs, {.shape_only = c.shape_only});
  progress().clear();
  // The listing on stdout: the table unless a file is written, the IR when asked.
  if (c.format == "ir") {
    std::cout << trace_to_ir(t, c.show_parameters);
  } else if (c.output.empty()) {
    print_trace_table(t);
  }
  if (!c.output.empty()) {
    if (extension_of(c.output) == ".json") {
      write_text(c.output, trace_to_json(t, 2) + "\n");
    } else {
      progress().stage("drawing " + c.output);
      write_picture(trace_to_dot(t, {.depth = c.depth, .show_parameters = c.show_parameters, .roll = c.roll}), c.output);
      progress().clear();
    }
    std::cout << "wrote " << c.output << " (" << boost::num_vertices(t.graph()) << " nodes, " << t.calls().size()
              << " module calls)\n";
  }
  if (const auto& f = t.failure()) {
    std::cerr << "modtrace: error: the forward failed (the trace stops there): " << one_line(f->message) << "\n";
    return 1;
  }
  return 0;
}

struct DiffCommand {
  ModelOptions model;
  std::string at;
  std::string format = "text";
  std::string output;
  int depth = 1;  // the children; 0 expands everything, as in trace
  bool roll = false;
  bool shape_only = false;
  bool check = false;
};

int diff_model(const DiffCommand& c) {
  if (!c.output.empty()) require_extension(c.output, {".dot", ".svg", ".png", ".html"});
  const Loaded l = load(c.model, c.shape_only);
  const auto watch = progress().watch_children(*l.model);
  const ChildrenReport r =
      compare_children(*l.model, l.inputs, {.at = c.at, .shape_only = c.shape_only, .progress = show_stage});
  if (!c.output.empty()) {
    progress().stage("drawing " + c.output);
    write_picture(comparison_to_dot(r, {.depth = c.depth, .roll = c.roll}), c.output);
  }
  progress().clear();
  std::cout << (c.format == "json" ? r.json() + "\n" : r.text());
  if (!c.output.empty() && c.format != "json") std::cout << "wrote " << c.output << "\n";
  return c.check && r.verdict != Verdict::equivalent ? kNotEquivalent : 0;
}

struct FixCommand {
  ModelOptions model;
  std::string at;
  std::string upto;
  std::string format = "text";
  std::string output;
  int depth = 1;  // the children; 0 expands everything, as in trace
  bool roll = false;
  bool shape_only = false;
};

// The faithful Sequential (or the truncation) and the code to build it.
int fix_model(const FixCommand& c) {
  if (!c.output.empty()) require_extension(c.output, {".dot", ".svg", ".png", ".html"});
  const Loaded l = load(c.model, c.shape_only);
  const auto watch = progress().watch_children(*l.model);
  const Repair r = repair_children(l.model, l.inputs,
                                   {.at = c.at, .upto = c.upto, .shape_only = c.shape_only, .progress = show_stage});
  if (!c.output.empty()) {
    progress().stage("drawing " + c.output);
    write_picture(repair_to_dot(r, {.depth = c.depth, .roll = c.roll}), c.output);
  }
  progress().clear();
  if (c.format == "json") {
    std::cout << r.json() << "\n";
  } else if (c.format == "python") {
    std::cout << r.python;
  } else if (c.format == "cpp") {
    std::cout << r.cpp;
  } else {
    std::cout << r.text();
    if (!r.python.empty()) std::cout << "\nPyTorch (paste next to your model):\n\n" << r.python;
    if (!r.cpp.empty()) std::cout << "\nC++ (modtrace):\n\n" << r.cpp;
  }
  if (!c.output.empty() && c.format == "text") std::cout << "wrote " << c.output << "\n";
  if (r.module && !r.verified) return 1;  // a repair that does not reproduce the forward is a defect
  return r.module ? 0 : kNotEquivalent;
}

struct ExtractCommand {
  ModelOptions model;
  std::string nodes;
  std::string format = "text";
  bool shape_only = false;
};

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name.empty()) throw UsageError("--nodes '" + list + "' has an empty name; give names joined by commas, e.g. layer4,flatten");
    names.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

// Extraction: the values' shapes, and the code that extracts them.
int extract_values(const ExtractCommand& c) {
  const std::vector<std::string> names = split_names(c.nodes);
  const Loaded l = load(c.model, c.shape_only);
  const auto watch = progress().watch_children(*l.model);
  progress().stage("tracing " + l.model->type_name());
  const Extraction x = extraction(l.model, l.inputs, names, {.shape_only = c.shape_only});
  progress().clear();
  if (c.format == "json") {
    std::cout << x.json() << "\n";
  } else if (c.format == "python") {
    std::cout << x.python;
  } else if (c.format == "cpp") {
    std::cout << x.cpp;
  } else {
    std::cout << x.text();
  }
  return 0;
}

struct SummaryCommand {
  ModelOptions model;
  int depth = 0;
};

std::string thousands(int64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

// torchinfo's number formats: "1.81" in G above 1e9 (T above 1e12, else M),
// a whole number without decimals; sizes in MB (1e6 bytes) to 2 decimals.
std::string in_units(int64_t n, const char** unit) {
  const double v = static_cast<double>(n);
  const double scaled = v >= 1e12 ? (*unit = "T", v / 1e12) : v >= 1e9 ? (*unit = "G", v / 1e9) : (*unit = "M", v / 1e6);
  char text[64];
  if (scaled == static_cast<double>(static_cast<int64_t>(scaled))) {
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(scaled));
  } else {
    std::snprintf(text, sizeof text, "%.2f", scaled);
  }
  return text;
}

std::string megabytes(int64_t bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(bytes) / 1e6);
  return text;
}

int summarize(const SummaryCommand& c) {
  const Loaded l = load(c.model, true);
  const auto watch = progress().watch_children(*l.model);
  progress().stage("tracing " + l.model->type_name());
  // Shapes are all a summary needs: a shape-only trace computes nothing.
  const Trace t = trace_module(*l.model, l.inputs, {.shape_only = true});
  progress().clear();
  const ModelSummary s = modtrace::summarize(t, {.depth = c.depth});
  Table table({{"module", 40}, {"type", 24}, {"input shape", 22}, {"output shape", 22}, {"parameters", 12, true},
               {"mult-adds", 14, true}, {"own ops", 7, true}});
  for (const SummaryRow& row : s.rows) {
    const std::string name = std::string(static_cast<size_t>(row.depth) * 2, ' ') + (row.path.empty() ? "(root)" : row.path);
    const std::string params = row.recursive ? "(recursive)" : row.parameters ? thousands(*row.parameters) : "--";
    const std::string macs = row.mult_adds ? thousands(*row.mult_adds) : "--";
    table.add({name, row.type, row.input_shape.empty() ? "--" : to_string(row.input_shape),
               row.output_shape.empty() ? "(failed)" : to_string(row.output_shape), params, macs,
               std::to_string(row.own_ops)});
  }
  const std::string rule(table.width(), '-');
  table.print_header();
  std::cout << rule << "\n";
  table.print_rows();
  const char* unit = "";
  const std::string mult_adds = in_units(s.total_mult_adds, &unit);
  std::cout << rule << "\n"
            << "total parameters: " << thousands(s.total_parameters) << "\n"
            << "trainable parameters: " << thousands(s.trainable_parameters) << "\n"
            << "non-trainable parameters: " << thousands(s.total_parameters - s.trainable_parameters) << "\n"
            << "total mult-adds (" << unit << "): " << mult_adds << "\n"
            << rule << "\n"
            << "input size (MB): " << megabytes(s.input_bytes) << "\n"
            << "forward/backward pass size (MB): " << megabytes(s.forward_backward_bytes) << "\n"
            << "parameters size (MB): " << megabytes(s.parameter_bytes) << "\n"
            << "estimated total size (MB): " << megabytes(s.estimated_total_bytes()) << "\n"
            << rule << "\n";
  // The root's own work includes what unregistered modules it called ran.
  std::string list;
  for (const std::string& op : s.functional_ops) list += (list.empty() ? "" : ", ") + op;
  std::cout << "functional ops in " << l.model->type_name() << "'s own forward: " << (list.empty() ? "none" : list)
            << "\n";
  if (const auto& f = t.failure()) {
    std::cerr << "modtrace: error: the forward failed: " << one_line(f->message) << "\n";
    return 1;
  }
  return 0;
}

// For --format json: the error as JSON on stdout (the one line on stderr
// stays), so a consumer reading stdout always gets a document.
//   {"error": "...", "kind": "runtime", "module": "lin", "module_type": "Linear",
//    "called_at": "my_model.cpp:12", "source": "lib/nn/layers/linear_conv.cpp:40"}
void print_error_json(const std::string& message, const char* kind, const std::exception* error) {
  nlohmann::ordered_json j = {{"schema_version", kJsonSchemaVersion}, {"error", message}, {"kind", kind}, {"module", nullptr}, {"module_type", nullptr},
                              {"called_at", nullptr}, {"source", nullptr}};
  auto text_or_null = [](const std::string& s) { return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s); };
  if (const auto* failed = dynamic_cast<const ModuleFailedError*>(error)) {
    const TraceFailure& f = failed->failure;
    j["module"] = f.module_path;
    j["module_type"] = text_or_null(f.module_type);
    j["called_at"] = text_or_null(f.called_at);
    j["source"] = text_or_null(f.source);
  } else if (const auto* e = dynamic_cast<const Error*>(error)) {
    if (e->has_module_context()) {
      j["module"] = e->module_path();
      j["module_type"] = e->module_type();
      j["called_at"] = text_or_null(e->called_at());
    }
    j["source"] = text_or_null(e->source());
  }
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

// The man page's sections after the commands (roff).
constexpr const char* kManSections = R"(.SH "EXIT STATUS"
.TP
0
success
.TP
1
a runtime error: one line on stderr, "modtrace: error: ..."
.TP
2
bad arguments
.TP
3
\fBdiff \-\-check\fR found the children\-only Sequential not equivalent; \fBfix\fR found no faithful Sequential
.SH ENVIRONMENT
.TP
.B OMP_NUM_THREADS
threads of the kernels (as PyTorch reads it)
.TP
.B MODTRACE_ISA
instruction set of the built\-in kernels: baseline, avx2 or avx512
.TP
.B MODTRACE_KERNELS
kernel library: onednn or builtin
.SH EXAMPLES
.nf
modtrace diff resnet18
modtrace fix resnet18 \-\-format python
modtrace trace resnet18 \-\-depth 2 \-o resnet18.svg
modtrace trace resnet18 \-o resnet18.html
.fi
.SH "SEE ALSO"
.BR dot (1);
the documentation in docs/ of the source tree (docs/cli.md for this tool).
)";

// Plugins must be loaded before arguments naming their models are checked.
std::vector<std::string> plugin_paths(int argc, char** argv) {
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--plugin" && i + 1 < argc) paths.emplace_back(argv[++i]);
    else if (arg.rfind("--plugin=", 0) == 0) paths.push_back(arg.substr(9));
  }
  return paths;
}

}  // namespace

// The commands' names, in the order --help lists them.
std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  return names;
}

// No command was recognised: the first word that is neither an option nor
// the value of --plugin / --max-memory is an unknown command; none at all
// means the command is missing.
std::string missing_command_message(const CLI::App& app, int argc, char** argv) {
  const std::vector<std::string> names = command_names(app);
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--plugin" || arg == "--max-memory") {
      ++i;  // its value
      continue;
    }
    if (arg.starts_with('-')) continue;
    std::string message = "unknown command '" + arg + "'";
    const std::vector<std::string> closest = nearest_names(arg, names, 1);
    if (!closest.empty() && edit_distance(arg, closest[0]) <= 2) message += " (did you mean '" + closest[0] + "'?)";
    return message + "; the commands are: " + list;
  }
  return "a command is required: " + list;
}

int main(int argc, char** argv) {
  // Over a file-size limit (ulimit -f) a write then fails with EFBIG, reported
  // like a full disk, instead of the signal killing the tool mid-file.
  std::signal(SIGXFSZ, SIG_IGN);
  std::streambuf* const original_stdout = std::cout.rdbuf();
  TerminalSafeOutput safe_stdout(original_stdout);
  std::cout.rdbuf(&safe_stdout);
  struct RestoreStdout {
    std::streambuf* saved;
    ~RestoreStdout() {
      std::cout.flush();
      std::cout.rdbuf(saved);
    }
  } restore{original_stdout};
  CLI::App app{"modtrace: trace PyTorch-style models and show what nn.Sequential(*model.children()) loses"};
  // One command, or none with --generate; a missing command is named below.
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("modtrace ") + library_version());
  app.fallthrough();  // --plugin may come after the command too
  std::vector<std::string> plugins;
  app.add_option("--plugin", plugins, "Load models from a shared library (see docs/cli.md); repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  // Hidden (an empty group): meson runs it to make the installed completion
  // scripts and man page (completion.hpp).
  std::string generate;
  app.add_option("--generate", generate, "Print the bash or zsh completion script, or the man page")->group("");
  std::string progress_when = "auto";
  app.add_option("--progress", progress_when,
                 "Show progress on stderr: auto (when stderr is a terminal, the default), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  std::string max_memory;
  app.add_option("--max-memory", max_memory,
                 "Most memory tensors may hold, e.g. 8G, 512M or 50% (default: 75% of this machine's memory)");

  auto* models = app.add_subcommand("models", "List the zoo's models with their default inputs");

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a model and print its output like PyTorch");
  add_model_options(run_cmd, run.model);
  run_cmd->add_option("--output-json", run.output_json, "Also write {\"shape\": [...], \"data\": [...]} to this file");
  run_cmd->add_flag("--children", run.children, "Run nn.Sequential(*model.children()) instead of the model");

  TraceCommand trace;
  auto* trace_cmd = app.add_subcommand("trace", "Trace a model: list its ops, or write the graph");
  add_model_options(trace_cmd, trace.model);
  trace_cmd->add_option("--depth", trace.depth, "Collapse module calls at this depth into one node (0: expand all)")
      ->check(kNonNegative);
  trace_cmd->add_flag("--shape-only", trace.shape_only, "Trace shapes only, without computing (same graph, faster)");
  trace_cmd->add_flag("--show-parameters", trace.show_parameters, "Draw (or, with --format ir, list) parameters and buffers");
  trace_cmd->add_flag("--roll", trace.roll, "Draw identical consecutive blocks once, labelled xN (torchview's roll)");
  trace_cmd->add_option("--format", trace.format, "Listing on stdout: table (default) or ir (torch.fx-style graph)")
      ->check(CLI::IsMember({"table", "ir"}));
  trace_cmd->add_option("-o,--output", trace.output, "Write the trace to FILE.dot, .svg, .png, .html (an interactive page) or .json");

  DiffCommand diff;
  auto* diff_cmd = app.add_subcommand("diff", "Compare a model with nn.Sequential(*model.children())");
  add_model_options(diff_cmd, diff.model);
  diff_cmd->add_option("--at", diff.at, "Analyse the sub-module at this path (e.g. layer1.0), fed what it received");
  diff_cmd->add_option("--format", diff.format, "Report format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  diff_cmd->add_option("-o,--output", diff.output, "Also draw the comparison to FILE.dot, .svg, .png or .html");
  diff_cmd->add_option("--depth", diff.depth, "Depth of the picture (default 1: the children; 0: expand all)")
      ->check(kNonNegative);
  diff_cmd->add_flag("--roll", diff.roll, "In the picture, draw identical consecutive blocks once, labelled xN");
  diff_cmd->add_flag("--shape-only", diff.shape_only, "Compare structure and shapes only, without computing");
  diff_cmd->add_flag("--check", diff.check, "Exit with status 3 unless the Sequential is equivalent (for CI)");

  FixCommand fix;
  auto* fix_cmd = app.add_subcommand("fix", "Build the faithful Sequential (or a truncation) and print it as code");
  add_model_options(fix_cmd, fix.model);
  fix_cmd->add_option("--at", fix.at, "Repair the sub-module at this path (e.g. layer1.0), fed what it received");
  fix_cmd->add_option("--upto", fix.upto, "Stop after this child: everything of the forward up to it");
  fix_cmd->add_option("--format", fix.format, "Output: text (report and code), json, python or cpp")
      ->check(CLI::IsMember({"text", "json", "python", "cpp"}));
  fix_cmd->add_flag("--shape-only", fix.shape_only, "Build and check shapes only, without computing");
  fix_cmd->add_flag("--roll", fix.roll, "In the picture, draw identical consecutive blocks once, labelled xN");
  fix_cmd->add_option("-o,--output", fix.output, "Also draw the original beside the repair: FILE.dot, .svg, .png or .html");
  fix_cmd->add_option("--depth", fix.depth,
                      "In the picture, collapse module calls at this depth (default 1; 0: expand all)")
      ->check(kNonNegative);

  ExtractCommand extract_cmd_options;
  auto* extract_cmd = app.add_subcommand("extract", "Extract named values of the forward (names: modtrace trace)");
  add_model_options(extract_cmd, extract_cmd_options.model);
  extract_cmd->add_option("--nodes", extract_cmd_options.nodes, "Names joined by commas, e.g. layer4,flatten")->required();
  extract_cmd->add_option("--format", extract_cmd_options.format, "Output: text, json, python or cpp")
      ->check(CLI::IsMember({"text", "json", "python", "cpp"}));
  extract_cmd->add_flag("--shape-only", extract_cmd_options.shape_only, "Trace shapes only, without computing (faster)");

  SummaryCommand summary;
  auto* summary_cmd = app.add_subcommand(
      "summary", "Table of module calls as torchinfo's: shapes, parameters, mult-adds, own ops; totals and memory");
  add_model_options(summary_cmd, summary.model);
  summary_cmd->add_option("--depth", summary.depth, "Show module calls down to this depth (0: all)")
      ->check(kNonNegative);

  try {
    for (const auto& path : plugin_paths(argc, argv)) load_plugin(path);
  } catch (const std::exception& e) {
    std::cerr << "modtrace: error: " << one_line(e.what()) << "\n";
    return 1;
  } catch (...) {
    std::cerr << "modtrace: error: a plugin threw an exception that is not a std::exception while loading\n";
    return 1;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 says "A subcommand is required" for a misspelt command too:
    // name what was given and what exists instead.
    const bool no_command = dynamic_cast<const CLI::RequiredError*>(&e) != nullptr ||
                            dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr;
    if (no_command && app.get_subcommands().empty()) {
      std::cerr << "modtrace: " << one_line(missing_command_message(app, argc, argv))
                << "\nRun with --help for more information.\n";
      return 2;
    }
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!generate.empty()) {
    // Checked here: CLI11 leaves a hidden option's name out of its messages.
    if (generate != "bash-completion" && generate != "zsh-completion" && generate != "man") {
      std::cerr << "modtrace: --generate: expected bash-completion, zsh-completion or man, got '" << one_line(generate)
                << "'\nRun with --help for more information.\n";
      return 2;
    }
    if (generate == "bash-completion") std::cout << tool::bash_completion(app, zoo::names());
    if (generate == "zsh-completion") std::cout << tool::zsh_completion(app, zoo::names());
    if (generate == "man") std::cout << tool::man_page(app, std::string("modtrace ") + library_version(), kManSections);
    return 0;
  }
  if (app.get_subcommands().empty()) {
    std::cerr << "modtrace: " << one_line(missing_command_message(app, argc, argv))
              << "\nRun with --help for more information.\n";
    return 2;
  }

  progress().configure(progress_when);
  const bool json_errors = (*diff_cmd && diff.format == "json") || (*fix_cmd && fix.format == "json") ||
                           (*extract_cmd && extract_cmd_options.format == "json");
  try {
    if (!max_memory.empty()) {
      try {
        set_memory_limit(parse_byte_size(max_memory));
      } catch (const Error& e) {
        throw UsageError(std::string("--max-memory: ") + e.what());
      }
    }
    // A MODTRACE_ISA or MODTRACE_KERNELS this build or machine cannot honour
    // is a usage error up front, not an op's failure in the middle of a forward.
    try {
      (void)kernel_isa();
      (void)kernel_library();
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
    if (*run_cmd) check_model_options(run.model);
    if (*trace_cmd) check_model_options(trace.model);
    if (*diff_cmd) check_model_options(diff.model);
    if (*summary_cmd) check_model_options(summary.model);
    if (*fix_cmd) check_model_options(fix.model);
    if (*extract_cmd) check_model_options(extract_cmd_options.model);
    if (*models) return list_models();
    if (*run_cmd) return run_model(run);
    if (*trace_cmd) return trace_model(trace);
    if (*diff_cmd) return diff_model(diff);
    if (*summary_cmd) return summarize(summary);
    if (*fix_cmd) return fix_model(fix);
    if (*extract_cmd) return extract_values(extract_cmd_options);
  } catch (const UsageError& e) {
    progress().clear();
    if (json_errors) print_error_json(e.what(), "usage", &e);
    std::cerr << "modtrace: " << one_line(e.what()) << "\nRun with --help for more information.\n";
    return 2;
  } catch (const std::bad_alloc&) {
    progress().clear();
    // Tensors are held to the memory limit; this is everything else (a huge
    // graph, a file's contents): the process itself ran out.
    const std::string message = "out of memory outside tensor storage (tensors held " +
                                format_bytes(memory_in_use()) + " of the " + format_bytes(memory_limit()) +
                                " limit); try --shape-only or a smaller input";
    if (json_errors) print_error_json(message, "runtime", nullptr);
    std::cerr << "modtrace: error: " << message << "\n";
    return 1;
  } catch (const std::exception& e) {
    progress().clear();
    if (json_errors) print_error_json(e.what(), "runtime", &e);
    std::cerr << "modtrace: error: " << one_line(e.what()) << "\n";
    return 1;
  } catch (...) {
    // A plugin's model may throw anything; it still ends as one line and status 1.
    progress().clear();
    const std::string message = "an exception that is not a std::exception escaped the model";
    if (json_errors) print_error_json(message, "runtime", nullptr);
    std::cerr << "modtrace: error: " << message << "\n";
    return 1;
  }
  return 0;
}
