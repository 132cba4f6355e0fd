#pragma once
// Internal: which module call ran each ONNX node.
//
// torch 1.13's exporter names a node by the scopes that were open when it ran:
// "/layer1/layer1.0/relu_1/Relu". Each part is a module's unqualified name
// (its qualified name from the last non-numeric atom: "layer1.0" for
// layer1.0, "conv1" for layer1.0.conv1), and the last part carries "_N" when
// N earlier calls at the same scope path owned nodes. The suffix is on the
// last part only, so which call of an ancestor a node ran in is known from
// the order of the nodes alone.
//
// With tools/export_onnx.py's metadata (every module call in order, from
// forward hooks) the calls are exact; without it they are inferred from the
// names and the order, and CallTree::notes says what could not be known.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "import/onnx_graph.hpp"

namespace modtrace::detail::onnx {

struct ModuleInfo {
  std::string path;        // first qualified name ("" is the root), as named_modules() gives it
  std::string type;        // PyTorch's class name; "" when unknown
  std::string extra_repr;  // what repr() prints inside the parentheses
  // Registrations in order: (name, path of the registered instance); a
  // shared instance appears under its first path.
  std::vector<std::pair<std::string, std::string>> children;
  std::vector<std::string> parameters, buffers;  // own, in registration order (names without the path)
  std::map<std::string, Shape> shapes;           // of each parameter and buffer, when known
  std::vector<std::string> signature;            // forward's required positional parameters, if known
  bool training = false;
};

struct Call {
  size_t module = 0;          // index into CallTree::modules
  int parent = -1;            // the calling call; -1 for the root's call
  std::vector<size_t> nodes;  // the call's own nodes, in file order
  std::vector<size_t> calls;  // child calls, in the order they began
  double begins = 0;          // node position where the call began (orders steps)
};

struct CallTree {
  std::vector<ModuleInfo> modules;  // modules[0] is the root
  std::vector<Call> calls;          // calls[0] is the root's call; pre-order
  bool from_metadata = false;
  std::vector<std::string> notes;   // what the file could not tell

  // Whether `call` ran inside `ancestor` (or is it).
  bool within(size_t call, size_t ancestor) const;
};

// The module tree and every call, from the metadata when present and
// consistent, else from the node names.
CallTree build_call_tree(const Graph& graph);

// PyTorch's exporter's name for a module: "layer1.0.conv1" -> "conv1",
// "features.1.conv.0" -> "conv.0", "0.1" -> "0.1".
std::string unqualified_name(const std::string& path);

// The metadata key tools/export_onnx.py writes.
inline constexpr const char* kMetadataKey = "modtrace";

}  // namespace modtrace::detail::onnx
