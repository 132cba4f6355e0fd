#pragma once
// Internal: a drawable view of traces, independent of the DOT syntax.

#include <string>
#include <vector>

#include "modtrace/render.hpp"
#include "modtrace/trace.hpp"

namespace modtrace::detail {

// What a node means in the picture; one colour per role.
enum class Role {
  input, output, parameter, module_owned, functional, module, dropped, added, replayed, failed,
};

// What a node or cluster is, beyond its label: ("op", "add"), ("source",
// "lib/zoo/resnet.cpp:41") … shown on hover (a tooltip in SVG) and in the
// HTML view's details panel, where the search looks at them too.
using Details = std::vector<std::pair<std::string, std::string>>;

struct DrawNode {
  std::string id;
  std::vector<std::string> lines;  // label lines, first in bold
  Role role = Role::module_owned;
  int cluster = -1;                // index into DrawGraph::clusters, -1: top level
  Details details = {};
};

struct DrawCluster {
  std::string id;
  std::string label;
  int parent = -1;
  bool emphasised = false;  // the two halves of a comparison
  Details details = {};     // a module call's: path, type, shapes, the line that called it
};

struct DrawEdge {
  std::string from, to;
};

struct DrawGraph {
  std::string title;
  std::vector<DrawCluster> clusters;
  std::vector<DrawNode> nodes;
  std::vector<DrawEdge> edges;
  std::vector<Role> legend;  // roles to explain, in order; empty: no legend
};

struct ViewOptions {
  int depth = 0;
  bool show_parameters = false;
  bool roll = false;  // RenderOptions::roll
  std::string id_prefix = {};         // keeps ids unique when two traces share a picture
  int parent_cluster = -1;       // nest the whole view in this cluster
  bool functional_is_dropped = false;          // comparison: the original's own ops
  std::vector<std::string> child_names = {};        // comparison: Sequential index -> original child name
  std::vector<std::string> added_children = {};     // comparison: children the original never calls
  std::vector<std::string> replayed_children = {};  // repair: steps replaying the original's own ops
};

// Appends the view of `trace` to `graph`.
void add_trace_view(const Trace& trace, const ViewOptions& options, DrawGraph& graph);

std::string to_dot(const DrawGraph& graph);

// The CSS class of a role in SVG (and in the HTML view): "functional", "module-owned" …
const char* role_class(Role role);

}  // namespace modtrace::detail
