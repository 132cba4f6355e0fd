// Module calls from an ONNX graph: each node's scope name placed in a call,
// exactly with tools/export_onnx.py's metadata, by inference without it.

#include "import/onnx_calls.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "modtrace/error.hpp"

namespace modtrace::detail::onnx {

bool CallTree::within(size_t call, size_t ancestor) const {
  for (int c = static_cast<int>(call); c >= 0; c = calls[static_cast<size_t>(c)].parent) {
    if (static_cast<size_t>(c) == ancestor) return true;
  }
  return false;
}

std::string unqualified_name(const std::string& path) {
  // The exporter's _unqualified_variable_name: from the last non-numeric atom on.
  size_t start = path.size();
  while (true) {
    const size_t dot = start == 0 ? std::string::npos : path.rfind('.', start - 1);
    const size_t atom_begin = dot == std::string::npos ? 0 : dot + 1;
    const std::string atom = path.substr(atom_begin, start - atom_begin);
    const bool numeric = !atom.empty() && std::all_of(atom.begin(), atom.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!numeric) return path.substr(atom_begin);
    if (atom_begin == 0) return path;
    start = dot;
  }
}

namespace {

using Chain = std::string;  // scope parts joined by '/': "layer1/layer1.0/relu"

std::string join(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

// "relu_1" -> ("relu", 1); no suffix -> nullopt.
std::optional<std::pair<std::string, int>> split_suffix(const std::string& part) {
  const size_t underscore = part.rfind('_');
  if (underscore == std::string::npos || underscore == 0 || underscore + 1 == part.size()) return std::nullopt;
  const std::string digits = part.substr(underscore + 1);
  if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::make_pair(part.substr(0, underscore), std::stoi(digits));
}

// The registered name of a child from its scope part: "layer1.0" under
// layer1 is child "0" (numeric names keep the parent's), "conv1" is "conv1".
std::string child_name(const std::string& owner_path, const std::string& part) {
  const std::string prefix = unqualified_name(owner_path) + ".";
  return !owner_path.empty() && part.rfind(prefix, 0) == 0 ? part.substr(prefix.size()) : part;
}

// ---- the metadata ----

[[noreturn]] void bad_metadata(const Graph& g, const std::string& what) {
  throw Error("cannot import '" + g.origin + "': its modtrace metadata is malformed: " + what +
              " (write it with tools/export_onnx.py)");
}

std::vector<std::string> strings(const Graph& g, const nlohmann::json& j, const std::string& what) {
  std::vector<std::string> out;
  if (j.is_null()) return out;
  if (!j.is_array()) bad_metadata(g, what + " is not a list");
  for (const auto& s : j) {
    if (!s.is_string()) bad_metadata(g, what + " holds something other than names");
    out.push_back(s.get<std::string>());
  }
  return out;
}

// [[name, [sizes…]], …]: names, with their shapes into `shapes`.
std::vector<std::string> tensor_names(const Graph& g, const nlohmann::json& j, const std::string& what,
                                      std::map<std::string, Shape>& shapes) {
  std::vector<std::string> out;
  if (j.is_null()) return out;
  if (!j.is_array()) bad_metadata(g, what + " is not a list");
  for (const auto& entry : j) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_array()) {
      bad_metadata(g, what + " holds something other than [name, shape]");
    }
    Shape shape;
    int64_t elements = 1;
    for (const auto& d : entry[1]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0 || d.get<int64_t>() > (int64_t{1} << 34)) {
        bad_metadata(g, what + " has an impossible size");
      }
      shape.push_back(d.get<int64_t>());
      elements = shape.back() == 0 ? 0 : std::min<int64_t>(elements * shape.back(), int64_t{1} << 40);
    }
    if (elements > (int64_t{1} << 34)) bad_metadata(g, what + " has an impossibly large tensor");
    out.push_back(entry[0].get<std::string>());
    shapes[out.back()] = shape;
  }
  return out;
}

// Modules and calls as the metadata lists them (calls without nodes yet).
CallTree read_metadata(const Graph& g, const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    bad_metadata(g, std::string("not JSON (") + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("modules") || !j.contains("calls")) bad_metadata(g, "'modules' or 'calls' is missing");
  if (j.value("format", 0) != 1) bad_metadata(g, "format " + j["format"].dump() + " is not format 1");
  CallTree tree;
  tree.from_metadata = true;
  std::map<std::string, size_t> index;
  for (const auto& m : j["modules"]) {
    if (!m.is_object() || !m.contains("path") || !m["path"].is_string()) bad_metadata(g, "a module has no path");
    ModuleInfo info;
    info.path = m["path"].get<std::string>();
    if (!m.contains("type") || !m["type"].is_string()) bad_metadata(g, "module '" + info.path + "' has no type");
    info.type = m["type"].get<std::string>();
    if (m.contains("extra_repr") && m["extra_repr"].is_string()) info.extra_repr = m["extra_repr"].get<std::string>();
    info.parameters = tensor_names(g, m.value("parameters", nlohmann::json()), "module '" + info.path + "' parameters", info.shapes);
    info.buffers = tensor_names(g, m.value("buffers", nlohmann::json()), "module '" + info.path + "' buffers", info.shapes);
    info.signature = strings(g, m.value("signature", nlohmann::json()), "module '" + info.path + "' signature");
    info.training = m.value("training", false);
    if (m.contains("children")) {
      for (const auto& c : m["children"]) {
        if (!c.is_array() || c.size() != 2 || !c[0].is_string() || !c[1].is_string()) {
          bad_metadata(g, "a child of module '" + info.path + "' is not [name, path]");
        }
        info.children.emplace_back(c[0].get<std::string>(), c[1].get<std::string>());
      }
    }
    if (!index.emplace(info.path, tree.modules.size()).second) bad_metadata(g, "module '" + info.path + "' is listed twice");
    tree.modules.push_back(std::move(info));
  }
  if (tree.modules.empty() || !tree.modules[0].path.empty()) bad_metadata(g, "the first module is not the root (path \"\")");
  for (const auto& m : tree.modules) {
    for (const auto& [name, path] : m.children) {
      if (!index.count(path)) bad_metadata(g, "child '" + name + "' of '" + m.path + "' names unknown module '" + path + "'");
    }
  }
  for (const auto& c : j["calls"]) {
    if (!c.is_array() || c.size() != 2 || !c[0].is_string() || !c[1].is_number_integer()) {
      bad_metadata(g, "a call is not [module path, parent call]");
    }
    const auto it = index.find(c[0].get<std::string>());
    if (it == index.end()) bad_metadata(g, "a call names unknown module '" + c[0].get<std::string>() + "'");
    const int64_t parent = c[1].get<int64_t>();
    if (tree.calls.empty() ? (parent != -1 || it->second != 0)
                           : (parent < 0 || parent >= static_cast<int64_t>(tree.calls.size()))) {
      bad_metadata(g, "call " + std::to_string(tree.calls.size()) + " has no valid parent (calls must start with the root's)");
    }
    Call call;
    call.module = it->second;
    call.parent = static_cast<int>(parent);
    if (parent >= 0) tree.calls[static_cast<size_t>(parent)].calls.push_back(tree.calls.size());
    tree.calls.push_back(call);
  }
  if (tree.calls.empty()) bad_metadata(g, "no calls are listed");
  return tree;
}

// Places each node in a metadata call. False when the names do not fit the
// calls (a file edited after export): the caller then infers instead.
bool place_nodes(const Graph& g, CallTree& tree) {
  std::vector<Chain> chain_of(tree.calls.size());
  std::set<Chain> chains;
  for (size_t c = 1; c < tree.calls.size(); ++c) {
    const Call& call = tree.calls[c];
    const Chain& parent = chain_of[static_cast<size_t>(call.parent)];
    chain_of[c] = (parent.empty() ? "" : parent + "/") + unqualified_name(tree.modules[call.module].path);
    chains.insert(chain_of[c]);
  }
  std::map<std::pair<Chain, int>, size_t> placed;  // a scope object -> its call
  std::map<Chain, size_t> last_placed;
  size_t cursor = 0;  // the last call known to have begun
  for (auto& call : tree.calls) call.begins = -1;
  tree.calls[0].begins = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& parts = g.nodes[i].scope;
    size_t call = 0;
    if (!parts.empty()) {
      Chain chain = join(parts, parts.size());
      int n = 0;
      if (!chains.count(chain)) {
        const auto split = split_suffix(parts.back());
        if (!split) return false;
        chain = (parts.size() > 1 ? join(parts, parts.size() - 1) + "/" : "") + split->first;
        n = split->second;
        if (!chains.count(chain)) return false;
      }
      const auto known = placed.find({chain, n});
      if (known != placed.end()) {
        call = known->second;
      } else {
        const auto last = last_placed.find(chain);
        const size_t after = last == last_placed.end() ? 0 : last->second + 1;
        std::optional<size_t> found;
        for (size_t c = std::max<size_t>(after, 1); c < tree.calls.size(); ++c) {
          if (chain_of[c] == chain &&
              (c > cursor || tree.within(cursor, c))) {
            found = c;
            break;
          }
        }
        if (!found) return false;
        call = *found;
        placed[{chain, n}] = call;
        last_placed[chain] = call;
      }
    }
    // Calls the cursor passes began just before this node.
    for (size_t c = cursor + 1; c <= call; ++c) tree.calls[c].begins = static_cast<double>(i) - 0.5;
    cursor = std::max(cursor, call);
    tree.calls[call].nodes.push_back(i);
  }
  for (size_t c = cursor + 1; c < tree.calls.size(); ++c) tree.calls[c].begins = static_cast<double>(g.nodes.size());
  return true;
}

// ---- inference from the names alone ----

CallTree infer_calls(const Graph& g) {
  CallTree tree;
  tree.modules.push_back(ModuleInfo{});
  tree.calls.push_back(Call{});
  std::map<std::string, size_t> module_at;  // path -> module
  module_at[""] = 0;
  std::vector<Chain> chain_of{""};
  std::vector<int> scope_index{0};  // per call: the suffix of the scope object it is, -1 while unknown
  std::map<std::pair<Chain, int>, size_t> placed;
  std::set<Chain> seen;
  std::vector<size_t> stack{0};

  auto open = [&](size_t depth, const std::string& name, const std::string& path, const Chain& chain, int n, size_t i) {
    const size_t parent = stack[depth - 1];
    auto [it, added] = module_at.emplace(path, tree.modules.size());
    if (added) {
      ModuleInfo info;
      info.path = path;
      tree.modules[tree.calls[parent].module].children.emplace_back(name, path);
      tree.modules.push_back(std::move(info));
    }
    Call call;
    call.module = it->second;
    call.parent = static_cast<int>(parent);
    call.begins = static_cast<double>(i) - 0.5;
    tree.calls[parent].calls.push_back(tree.calls.size());
    tree.calls.push_back(call);
    chain_of.push_back(chain);
    scope_index.push_back(n);
    seen.insert(chain);
    stack.resize(depth);
    stack.push_back(tree.calls.size() - 1);
  };

  for (size_t i = 0; i < g.nodes.size(); ++i) {
    std::vector<std::string> parts = g.nodes[i].scope;
    const size_t k = parts.size();
    int n = 0;
    if (k > 0 && !seen.count(join(parts, k))) {
      // "relu_1" is the second call of relu only if relu has run before: the
      // suffix counts earlier scope objects, so a first one never has it.
      if (const auto split = split_suffix(parts.back())) {
        std::vector<std::string> base = parts;
        base.back() = split->first;
        if (seen.count(join(base, k))) {
          parts = base;
          n = split->second;
        }
      }
    }
    const Chain chain = join(parts, k);
    size_t call;
    if (k == 0) {
      call = 0;
      stack.resize(1);
    } else if (const auto known = placed.find({chain, n}); known != placed.end()) {
      call = known->second;
      stack.clear();
      for (int c = static_cast<int>(call); c >= 0; c = tree.calls[static_cast<size_t>(c)].parent) {
        stack.insert(stack.begin(), static_cast<size_t>(c));
      }
    } else {
      // Keep the open calls that lie on this chain; open what is missing.
      size_t depth = 1;
      while (depth < stack.size() && depth <= k && chain_of[stack[depth]] == join(parts, depth)) ++depth;
      // depth - 1 levels match. The last level is reusable only if it has no
      // scope object yet (it was opened as an ancestor) or is this one.
      if (depth - 1 == k && scope_index[stack[k]] != -1 && scope_index[stack[k]] != n) --depth;
      stack.resize(std::min(depth, k + 1));
      std::string path;
      for (size_t d = 1; d <= k; ++d) {
        const std::string& part = parts[d - 1];
        if (d < stack.size()) {
          path = tree.modules[tree.calls[stack[d]].module].path;
          continue;
        }
        const std::string name = child_name(tree.modules[tree.calls[stack[d - 1]].module].path, part);
        path = path.empty() ? name : path + "." + name;
        open(d, name, path, join(parts, d), d == k ? n : -1, i);
      }
      call = stack[k];
      scope_index[call] = n;
      placed[{chain, n}] = call;
    }
    tree.calls[call].nodes.push_back(i);
  }

  tree.notes.push_back(
      "no modtrace metadata in the file (export with tools/export_onnx.py to add it): children are listed in the "
      "order the forward first called them, which may not be registration order; module types, children the forward "
      "never called and modules that ran no op (an eval-mode Dropout, an Identity) are not known");
  std::map<size_t, int> call_count;
  for (size_t c = 1; c < tree.calls.size(); ++c) ++call_count[tree.calls[c].module];
  std::string repeated;
  for (const auto& [module, count] : call_count) {
    if (count > 1 && !tree.modules[module].children.empty()) {
      repeated += (repeated.empty() ? "" : ", ") + tree.modules[module].path;
    }
  }
  if (!repeated.empty()) {
    tree.notes.push_back("modules with children were called more than once (" + repeated +
                         "): which of their calls ran each child call is inferred from the order of the nodes");
  }
  return tree;
}

}  // namespace

CallTree build_call_tree(const Graph& graph) {
  const auto it = graph.metadata.find(kMetadataKey);
  if (it == graph.metadata.end()) return infer_calls(graph);
  CallTree tree = read_metadata(graph, it->second);
  if (place_nodes(graph, tree)) return tree;
  // The metadata's calls do not fit the node names: say so and infer everything.
  CallTree inferred = infer_calls(graph);
  inferred.notes.insert(inferred.notes.begin(),
                        "the file's modtrace metadata does not match its node names (was the graph edited after "
                        "export?): it is ignored");
  return inferred;
}

}  // namespace modtrace::detail::onnx
