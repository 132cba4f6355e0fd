// Printing the faithful Sequential as code: PyTorch a user pastes next to
// their model, and the same in C++ with modtrace's API.

#include "repair/code.hpp"

#include <map>
#include <optional>
#include <set>

#include "analysis/findings.hpp"
#include "modtrace/layers.hpp"
#include "modtrace/python.hpp"

namespace modtrace::detail::repair {

std::string python_path(const std::string& base, std::string_view path) {
  std::string out = base;
  size_t start = 0;
  while (start < path.size()) {
    const size_t dot = path.find('.', start);
    const std::string part(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    const bool numeric = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    const bool identifier = !part.empty() && (std::isalpha(static_cast<unsigned char>(part[0])) || part[0] == '_') &&
                            part.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                                std::string::npos;
    out += numeric ? "[" + part + "]" : identifier ? "." + part : ".get_submodule(\"" + part + "\")";
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

namespace {

std::string ints_text(const IntList& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s;
}

// ---- PyTorch ----

// The PyTorch expression of an op on operand expressions, or nullopt.
std::optional<std::string> python_op(const Node& n, const std::vector<std::string>& a) {
  const Attrs& at = n.attrs();
  auto real = [&](const char* name) { return python_repr(at.real(name)); };
  // An optional operand (a bias): None when the op ran without it.
  auto optional = [&](size_t i) { return i < a.size() && !a[i].empty() ? a[i] : std::string("None"); };
  auto binary = [&](const char* symbol) -> std::string {
    if (at.find("other")) return "(" + a.at(0) + " " + symbol + " " + real("other") + ")";
    return "(" + a.at(0) + " " + symbol + " " + a.at(1) + ")";
  };
  switch (*n.op) {
    case Op::add: return binary("+");
    case Op::sub: return binary("-");
    case Op::mul: return binary("*");
    case Op::div: return binary("/");
    // In place, as the forward ran them: a later reader of the operand sees the change.
    case Op::add_: case Op::sub_: case Op::mul_: case Op::div_:
      return a.at(0) + "." + std::string(n.op_name()) + "(" + (at.find("other") ? real("other") : a.at(1)) + ")";
    case Op::relu_: case Op::sigmoid_: case Op::tanh_: return a.at(0) + "." + std::string(n.op_name()) + "()";
    case Op::clamp_: case Op::clamp: {
      std::string bounds;
      if (at.find("min")) bounds += "min=" + real("min");
      if (at.find("max")) bounds += (bounds.empty() ? "" : ", ") + std::string("max=") + real("max");
      return a.at(0) + "." + std::string(n.op_name()) + "(" + bounds + ")";
    }
    case Op::masked_fill_: return a.at(0) + ".masked_fill_(" + a.at(1) + ", " + real("value") + ")";
    case Op::rsub: return "(" + real("other") + " - " + a.at(0) + ")";
    case Op::neg: return "(-" + a.at(0) + ")";
    case Op::pow: return a.at(0) + ".pow(" + real("exponent") + ")";
    case Op::sqrt: case Op::exp: case Op::log: case Op::relu: case Op::sigmoid: case Op::tanh:
      return "torch." + std::string(n.op_name()) + "(" + a.at(0) + ")";
    case Op::relu6: case Op::silu: case Op::hardswish: case Op::hardsigmoid: case Op::mish:
      return "F." + std::string(n.op_name()) + "(" + a.at(0) + ")";
    case Op::gelu: return "F.gelu(" + a.at(0) + ", approximate=\"" + at.text("approximate") + "\")";
    case Op::softmax: case Op::log_softmax:
      return "torch." + std::string(n.op_name()) + "(" + a.at(0) + ", dim=" + std::to_string(at.integer("dim")) + ")";
    case Op::flatten:
      return "torch.flatten(" + a.at(0) + ", " + std::to_string(at.integer("start_dim")) + ", " +
             std::to_string(at.integer("end_dim")) + ")";
    case Op::reshape: case Op::view: return a.at(0) + "." + std::string(n.op_name()) + "(" + ints_text(at.ints("shape")) + ")";
    case Op::permute: return a.at(0) + ".permute(" + ints_text(at.ints("dims")) + ")";
    case Op::transpose:
      return a.at(0) + ".transpose(" + std::to_string(at.integer("dim0")) + ", " + std::to_string(at.integer("dim1")) + ")";
    case Op::expand: return a.at(0) + ".expand(" + ints_text(at.ints("size")) + ")";
    case Op::squeeze: case Op::unsqueeze:
      return a.at(0) + "." + std::string(n.op_name()) + "(" + std::to_string(at.integer("dim")) + ")";
    case Op::contiguous: case Op::clone: return a.at(0) + "." + std::string(n.op_name()) + "()";
    case Op::cat: case Op::stack: {
      std::string list;
      for (size_t i = 0; i < a.size(); ++i) list += (i ? ", " : "") + a[i];
      return "torch." + std::string(n.op_name()) + "([" + list + "], dim=" + std::to_string(at.integer("dim")) + ")";
    }
    case Op::select:
      return a.at(0) + ".select(" + std::to_string(at.integer("dim")) + ", " + std::to_string(at.integer("index")) + ")";
    case Op::slice: {
      const int64_t dim = at.integer("dim");
      if (dim < 0) return std::nullopt;
      std::string index;
      for (int64_t d = 0; d < dim; ++d) index += ":, ";
      const auto* start = at.find("start");
      const auto* end = at.find("end");
      index += (start ? std::to_string(std::get<int64_t>(*start)) : "") + ":" +
               (end ? std::to_string(std::get<int64_t>(*end)) : "") +
               (at.integer("step") != 1 ? ":" + std::to_string(at.integer("step")) : "");
      return a.at(0) + "[" + index + "]";
    }
    case Op::adaptive_avg_pool2d: return "F.adaptive_avg_pool2d(" + a.at(0) + ", " + python_tuple(at.ints("output_size")) + ")";
    case Op::mean: case Op::sum: {
      const auto& dims = at.ints("dim");
      if (dims.empty()) return a.at(0) + "." + std::string(n.op_name()) + "()";
      return a.at(0) + "." + std::string(n.op_name()) + "(dim=" + python_tuple(dims) +
             ", keepdim=" + python_repr(at.flag("keepdim")) + ")";
    }
    case Op::dropout:
      return "F.dropout(" + a.at(0) + ", p=" + real("p") + ", training=" + python_repr(at.flag("training")) + ")";
    case Op::stochastic_depth:
      // torchvision returns its input itself when not training.
      if (!at.flag("training")) return a.at(0);
      return std::nullopt;
    case Op::narrow:
      return a.at(0) + ".narrow(" + std::to_string(at.integer("dim")) + ", " + std::to_string(at.integer("start")) +
             ", " + std::to_string(at.integer("length")) + ")";
    case Op::conv2d:
      return "F.conv2d(" + a.at(0) + ", " + a.at(1) + ", " + optional(2) + ", stride=" + python_tuple(at.ints("stride")) +
             ", padding=" + python_tuple(at.ints("padding")) + ", dilation=" + python_tuple(at.ints("dilation")) +
             ", groups=" + std::to_string(at.integer("groups")) + ")";
    case Op::batch_norm:
      return "F.batch_norm(" + a.at(0) + ", " + a.at(1) + ", " + a.at(2) + ", " + optional(3) + ", " + optional(4) +
             ", training=" + python_repr(at.flag("training")) + ", momentum=" + real("momentum") + ", eps=" + real("eps") + ")";
    case Op::layer_norm:
      return "F.layer_norm(" + a.at(0) + ", " + python_tuple(at.ints("normalized_shape")) + ", " + optional(1) + ", " +
             optional(2) + ", eps=" + real("eps") + ")";
    case Op::max_pool2d:
      return "F.max_pool2d(" + a.at(0) + ", " + python_tuple(at.ints("kernel_size")) + ", " + python_tuple(at.ints("stride")) +
             ", " + python_tuple(at.ints("padding")) + ", " + python_tuple(at.ints("dilation")) +
             ", ceil_mode=" + python_repr(at.flag("ceil_mode")) + ")";
    case Op::avg_pool2d:
      return "F.avg_pool2d(" + a.at(0) + ", " + python_tuple(at.ints("kernel_size")) + ", " + python_tuple(at.ints("stride")) +
             ", " + python_tuple(at.ints("padding")) + ", ceil_mode=" + python_repr(at.flag("ceil_mode")) +
             ", count_include_pad=" + python_repr(at.flag("count_include_pad")) + ")";
    case Op::matmul: return "torch.matmul(" + a.at(0) + ", " + a.at(1) + ")";
    case Op::linear: return "F.linear(" + a.at(0) + ", " + a.at(1) + ", " + optional(2) + ")";
    default: return std::nullopt;
  }
}

// The PyTorch layer a replay is done by ("nn.Flatten(1)"), when it is one.
std::string python_layer(const Module& layer) {
  if (const auto* f = dynamic_cast<const Flatten*>(&layer)) {
    return f->end_dim == -1 ? "nn.Flatten(" + std::to_string(f->start_dim) + ")"
                            : "nn.Flatten(" + std::to_string(f->start_dim) + ", " + std::to_string(f->end_dim) + ")";
  }
  if (dynamic_cast<const ReLU*>(&layer)) return "nn.ReLU()";
  if (const auto* p = dynamic_cast<const AdaptiveAvgPool2d*>(&layer)) {
    return "nn.AdaptiveAvgPool2d(" + python_tuple(Shape{p->output_size.h, p->output_size.w}) + ")";
  }
  return "";
}

// ---- C++ ----

std::string cpp_value(const AttrValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) return "int64_t{" + std::to_string(x) + "}";
        else if constexpr (std::is_same_v<T, double>) return python_repr(x).find_first_of(".en") == std::string::npos
                                                                 ? python_repr(x) + ".0"
                                                                 : python_repr(x);
        else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, IntList>) return "std::vector<int64_t>{" + ints_text(x) + "}";
        else return "std::string(\"" + x + "\")";
      },
      v);
}

std::string cpp_op(const Node& n, const std::vector<std::string>& a, int slot) {
  std::string operands, attrs;
  for (size_t i = 0; i < a.size(); ++i) operands += (i ? ", " : "") + (a[i].empty() ? "Tensor()" : a[i]);
  for (const Attr& attr : n.attrs().items()) {
    attrs += (attrs.empty() ? "" : ", ") + std::string("{\"") + std::string(attr.name) + "\", " + cpp_value(attr.value) + "}";
  }
  return "F::apply(Op::" + std::string(n.op_name()) + ", {" + operands + "}, {" + attrs + "})[" + std::to_string(slot) + "]";
}

std::string cpp_layer(const Module& layer) {
  if (const auto* f = dynamic_cast<const Flatten*>(&layer)) {
    return "make<Flatten>(" + std::to_string(f->start_dim) + ", " + std::to_string(f->end_dim) + ")";
  }
  if (dynamic_cast<const ReLU*>(&layer)) return "make<ReLU>()";
  if (const auto* p = dynamic_cast<const AdaptiveAvgPool2d*>(&layer)) {
    return "make<AdaptiveAvgPool2d>(Size2{" + std::to_string(p->output_size.h) + ", " + std::to_string(p->output_size.w) + "})";
  }
  return "";
}

// An op's operands in operand order, each as `print` gives it; an optional
// operand the op ran without (a bias) is left default (empty).
template <class Print>
auto operands_by_position(const Graph& g, Vertex op, Print print) {
  std::vector<decltype(print(ValueRef{}))> out;
  for (auto e : boost::make_iterator_range(boost::in_edges(op, g))) {
    const auto index = static_cast<size_t>(g[e].operand);
    if (out.size() <= index) out.resize(index + 1);
    out[index] = print(ValueRef{boost::source(e, g), g[e].output});
  }
  return out;
}

std::string no_python_form(const Node& n) {
  return "op " + std::string(n.op_name()) + " has no PyTorch form in modtrace's printer";
}

std::string made_by_forward(const Node& leaf) {
  return "a constant tensor the forward made itself (" + to_string(leaf.shape()) + ")";
}

// Both languages' expressions of a replay's result, fed "x".
struct Expressions {
  std::string python, cpp, text, problem;
};

Expressions replay_expressions(const Replay& replay, const std::string& module_path) {
  const Trace& trace = replay.program().trace();
  const Graph& g = trace.graph();
  std::map<ValueRef, std::pair<std::string, std::string>> known;  // value -> (python, C++)
  Expressions out;
  for (const ValueRef& fed : replay.fed()) known[fed] = {"x", "x"};
  auto operand = [&](const ValueRef& r) -> std::pair<std::string, std::string> {
    if (auto it = known.find(r); it != known.end()) return it->second;
    const Node& leaf = g[r.node];
    if (leaf.kind == NodeKind::parameter || leaf.kind == NodeKind::buffer) {
      const std::string key = join_path(module_path, leaf.name());
      return {python_path("model", key),
              std::string("model->") + (leaf.kind == NodeKind::parameter ? "get_parameter" : "get_buffer") + "(\"" + key + "\")"};
    }
    if (leaf.kind == NodeKind::input) return {"x", "x"};
    if (out.problem.empty()) out.problem = made_by_forward(leaf);
    return {"<constant>", "<constant>"};
  };
  ValueRef last{};
  for (const Unit& u : replay.steps()) {
    if (u.is_call) {
      if (out.problem.empty()) out.problem = "a module call on parameters alone";
      continue;
    }
    const Node& n = g[u.node];
    std::vector<std::string> py, cc;
    for (const auto& [python, cpp] : operands_by_position(g, u.node, operand)) {
      py.push_back(python);
      cc.push_back(cpp);
    }
    const auto p = python_op(n, py);
    if (!p && out.problem.empty()) out.problem = no_python_form(n);
    const size_t outputs = std::max<size_t>(n.output_shapes().size(), 1);
    for (size_t k = 0; k < outputs; ++k) {
      const std::string suffix = outputs > 1 ? "[" + std::to_string(k) + "]" : "";
      known[{u.node, static_cast<int>(k)}] = {p ? *p + suffix : "<" + std::string(n.op_name()) + ">",
                                              cpp_op(n, cc, static_cast<int>(k))};
    }
    out.text += (out.text.empty() ? "" : ", ") + std::string(n.op_name()) + "(" + to_string(n.attrs()) + ")";
    last = {u.node, 0};
  }
  std::tie(out.python, out.cpp) = known.at(last);
  return out;
}

constexpr const char* kPythonReplay =
    "class Replay(nn.Module):\n"
    "    \"\"\"An op of the model's own forward, replayed (printed by modtrace fix).\"\"\"\n"
    "\n"
    "    def __init__(self, fn, text):\n"
    "        super().__init__()\n"
    "        self.fn, self.text = fn, text\n"
    "\n"
    "    def forward(self, x):\n"
    "        return self.fn(x)\n"
    "\n"
    "    def extra_repr(self):\n"
    "        return self.text\n"
    "\n"
    "\n";

// A Python identifier for a value name: "layer2.0.add" -> "layer2_0_add".
std::string python_identifier(const std::string& name) {
  static const std::set<std::string> taken = {"model", "self", "torch", "nn", "F", "and", "as", "assert", "break",
                                              "class", "continue", "def", "del", "elif", "else", "except", "False",
                                              "finally", "for", "from", "global", "if", "import", "in", "is",
                                              "lambda", "None", "nonlocal", "not", "or", "pass", "raise", "return",
                                              "True", "try", "while", "with", "yield"};
  std::string id;
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "v_" + id;
  if (taken.count(id)) id += "_";
  return id;
}

// How PyTorch calls a module where its call differs from modtrace's:
// MultiheadAttention takes need_weights as an argument (an option in
// modtrace) and always returns a tuple (its second item None without weights).
struct PythonCall {
  std::string keywords;  // ", need_weights=False"
  bool returns_tuple = false;
};

PythonCall python_call_form(const Module& module) {
  if (const auto* attention = dynamic_cast<const MultiheadAttention*>(&module)) {
    return {std::string(", need_weights=") + (attention->options.need_weights ? "True" : "False"), true};
  }
  return {};
}

std::string python_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Code extraction_code(const Replay& replay, const std::vector<ExtractedName>& names,
                     const std::function<std::string(const Unit&)>& name_of, const std::string& title) {
  const Program& program = replay.program();
  const Trace& trace = program.trace();
  const Graph& g = trace.graph();
  Code code;
  std::map<ValueRef, std::string> known;
  std::set<std::string> used;
  auto fresh = [&](const std::string& wanted) {
    std::string id = python_identifier(wanted);
    for (int k = 1; used.count(id); ++k) id = python_identifier(wanted) + "_" + std::to_string(k);
    used.insert(id);
    return id;
  };
  std::string parameters;
  for (const ValueRef& fed : replay.fed()) {
    const std::string input(g[fed.node].name());
    known[fed] = fresh(replay.fed().size() == 1 || input.empty() ? "x" : input);
    parameters += ", " + known[fed];
  }
  auto operand = [&](const ValueRef& r) -> std::string {
    if (auto it = known.find(r); it != known.end()) return it->second;
    const Node& leaf = g[r.node];
    if (leaf.kind == NodeKind::parameter || leaf.kind == NodeKind::buffer) return python_path("model", leaf.name());
    if (code.problem.empty()) code.problem = made_by_forward(leaf);
    return "<constant>";
  };
  // Each name's entry is set as soon as its values exist, as a copy when later
  // steps run: a later module may work in place (ReLU(inplace=True)), and
  // the value wanted is the one the forward computed there.
  std::string body;
  std::vector<bool> stored(names.size(), false);
  size_t step = 0;
  auto store_ready = [&] {
    const bool last = step == replay.steps().size();
    for (size_t i = 0; i < names.size(); ++i) {
      if (stored[i]) continue;
      bool ready = true;
      for (const ValueRef& v : names[i].values) ready = ready && (known.count(v) || g[v.node].kind != NodeKind::op);
      if (!ready) continue;
      stored[i] = true;
      std::string value;
      for (size_t k = 0; k < names[i].values.size(); ++k) {
        value += (k ? ", " : "") + operand(names[i].values[k]) + (last ? "" : ".clone()");
      }
      if (names[i].values.size() != 1) value = "(" + value + ")";
      body += "        values[" + python_string(names[i].name) + "] = " + value + "\n";
    }
  };
  store_ready();
  for (const Unit& u : replay.steps()) {
    ++step;
    const std::vector<ValueRef> reads = program.reads(u);
    std::vector<std::string> args;
    for (const ValueRef& r : reads) args.push_back(operand(r));
    const std::string var = fresh(name_of(u));
    if (u.is_call) {
      const ModuleCall& c = trace.calls()[static_cast<size_t>(u.call)];
      std::string list;
      for (size_t i = 0; i < args.size(); ++i) list += (i ? ", " : "") + args[i];
      if (c.tuple_argument) list = "(" + list + (args.size() == 1 ? ",)" : ")");
      const PythonCall form = python_call_form(*c.module);
      body += "        " + var + " = " + python_path("model", c.path()) + "(" + list + form.keywords + ")\n";
      for (size_t i = 0; i < c.outputs().size(); ++i) {
        known[{c.outputs()[i], c.output_slots()[i]}] =
            c.outputs().size() == 1 && !form.returns_tuple ? var : var + "[" + std::to_string(i) + "]";
      }
      store_ready();
      continue;
    }
    const Node& n = g[u.node];
    const auto expression = python_op(n, operands_by_position(g, u.node, operand));
    if (!expression && code.problem.empty()) code.problem = no_python_form(n);
    body += "        " + var + " = " + (expression ? *expression : "<" + std::string(n.op_name()) + ">") + "\n";
    const size_t outputs = std::max<size_t>(n.output_shapes().size(), 1);
    for (size_t k = 0; k < outputs; ++k) {
      known[{u.node, static_cast<int>(k)}] = outputs == 1 ? var : var + "[" + std::to_string(k) + "]";
    }
    store_ready();
  }
  std::string quoted;
  for (const ExtractedName& name : names) quoted += (quoted.empty() ? "" : ", ") + python_string(name.name);
  code.python = "# " + title + " features(x) gives {name: tensor}.\nimport torch\nfrom torch import nn\n"
                "import torch.nn.functional as F\n\n\n"
                "class Extracted(nn.Module):\n"
                "    \"\"\"Named values of `model`'s forward, computed by replaying the forward modtrace recorded "
                "(printed by modtrace extract).\"\"\"\n\n"
                "    def __init__(self, model):\n"
                "        super().__init__()\n"
                "        self.model = model\n\n"
                "    def forward(self" + parameters + "):\n"
                "        model = self.model\n"
                "        values = dict.fromkeys([" + quoted + "])\n" + body +
                "        return values\n\n\n"
                "features = Extracted(model)\n";
  if (!code.problem.empty()) {
    code.python = "# modtrace cannot print this extraction as PyTorch code: " + code.problem + "\n" + code.python;
  }
  std::string inputs;
  for (size_t i = 0; i < replay.fed().size(); ++i) inputs += (i ? ", " : "") + known.at(replay.fed()[i]);
  code.cpp = "// " + title + "\n// `model` is a std::shared_ptr<modtrace::Module>; using namespace modtrace.\n"
             "auto features = extract(model, {" + inputs + "}, {" + quoted + "});\n"
             "Tensors values = features->call({" + inputs + "});  // the names' tensors, in order\n";
  return code;
}

Code sequential_code(const std::vector<CodeStep>& steps, const std::string& module_path, const std::string& title,
                     const std::string& variable) {
  Code code;
  std::string py_items, cpp_items;
  bool replay_helper = false;
  for (const CodeStep& step : steps) {
    if (step.child) {
      py_items += "    " + python_path("model", step.path) + ",\n";
      cpp_items += "    model->submodule_ptr(\"" + step.path + "\"),\n";
      continue;
    }
    const std::string layer_py = step.layer ? python_layer(*step.layer) : "";
    const Expressions e = replay_expressions(*step.replay, module_path);
    if (!layer_py.empty()) {
      py_items += "    " + layer_py + ",\n";
      cpp_items += "    " + cpp_layer(*step.layer) + ",\n";
      continue;
    }
    if (!e.problem.empty() && code.problem.empty()) code.problem = e.problem;
    replay_helper = true;
    py_items += "    Replay(lambda x: " + e.python + ", \"" + e.text + "\"),\n";
    cpp_items += "    make<Lambda>([model](const Tensor& x) { return " + e.cpp + "; }, \"" + e.text + "\"),\n";
  }
  code.python = "# " + title + "\nimport torch\nfrom torch import nn\nimport torch.nn.functional as F\n\n\n" +
                (replay_helper ? std::string(kPythonReplay) : std::string()) + variable + " = nn.Sequential(\n" + py_items + ")\n";
  if (!code.problem.empty()) {
    code.python = "# modtrace cannot print this Sequential as PyTorch code: " + code.problem + "\n" + code.python;
  }
  code.cpp = "// " + title + "\n// `model` is a std::shared_ptr<modtrace::Module>; using namespace modtrace.\n"
             "auto " + variable + " = make<Sequential>(std::vector<std::shared_ptr<Module>>{\n" + cpp_items + "});\n";
  return code;
}

}  // namespace modtrace::detail::repair
