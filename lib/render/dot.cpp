// The DOT writer: a DrawGraph as Graphviz text, with HTML-like labels,
// nested clusters and a legend. Deterministic: the same view gives the same
// bytes.
//
// Why not boost::write_graphviz: the picture needs nested clusters (module
// calls inside module calls), which write_graphviz only offers through
// boost::subgraph, a different graph type; the trace graph also is not the
// drawn graph once calls collapse. Printing DOT directly from the view is a
// few dozen lines and keeps the trace's graph type simple.

#include <cstdio>
#include <sstream>

#include "core/text.hpp"
#include "render/view.hpp"

namespace modtrace::detail {
namespace {

struct Style {
  const char* fill;
  const char* border;
  const char* shape;
  const char* extra;  // further attributes
  const char* meaning;
};

Style style_of(Role role) {
  switch (role) {
    case Role::input: return {"#b6d7a8", "#38761d", "oval", "", "input / output"};
    case Role::output: return {"#b6d7a8", "#38761d", "oval", "", "output"};
    case Role::parameter: return {"#eeeeee", "#999999", "note", "", "parameter / buffer"};
    case Role::module_owned: return {"#cfe2f3", "#6d9eeb", "box", "", "op inside a child module"};
    case Role::functional: return {"#ffd966", "#bf9000", "box", "", "functional op (the module's own code)"};
    case Role::module: return {"#9fc5e8", "#3d85c6", "box3d", "", "module call (collapsed)"};
    case Role::dropped: return {"#f4cccc", "#cc0000", "box", ", penwidth=2", "functional op the Sequential drops"};
    case Role::added: return {"#d9d2e9", "#674ea7", "box3d", ", penwidth=2, style=\"filled,dashed\"",
                              "child only the Sequential runs"};
    case Role::replayed: return {"#d9ead3", "#38761d", "box3d", ", penwidth=2, style=\"filled,dashed\"",
                                 "step added: replays the model's own ops"};
    case Role::failed: return {"#e06666", "#990000", "box", ", penwidth=2, fontcolor=\"#ffffff\"", "failure point"};
  }
  return {"#ffffff", "#000000", "box", "", ""};
}

// Names may come from a plugin: invalid UTF-8 becomes U+FFFD and control
// bytes are shown as \xNN (Graphviz would reject either); newlines are
// kept where the text may have several lines.
std::string shown_text(const std::string& text, bool keep_newlines) {
  std::string shown;
  for (char c : valid_utf8(text)) {
    if ((static_cast<unsigned char>(c) < 0x20 && !(keep_newlines && c == '\n')) || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
      shown += escaped;
    } else {
      shown += c;
    }
  }
  return shown;
}

// Escaped for an HTML-like label. Graphviz expands \N (the node's name) and
// its kin even there, so a backslash is written as two.
std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : shown_text(text, false)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out;
}

// A quoted DOT string for an escString attribute (tooltip). The DOT reader
// halves backslashes and Graphviz then expands \N, so each backslash is
// written as four; Graphviz copies "&amp;" into SVG as an entity, so a '&'
// shows as itself only when written as one.
std::string dot_string(const std::string& text) {
  std::string out = "\"";
  for (char c : shown_text(text, true)) {
    switch (c) {
      case '\\': out += "\\\\\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '&': out += "&amp;"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

// One "key: value" line each.
std::string tooltip(const Details& details) {
  std::string text;
  for (const auto& [key, value] : details) text += (text.empty() ? "" : "\n") + key + ": " + value;
  return text;
}

std::string html_label(const std::vector<std::string>& lines) {
  std::string label = "<";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) label += "<br/>";
    label += i == 0 ? "<b>" + html_escape(lines[i]) + "</b>" : html_escape(lines[i]);
  }
  return label + ">";
}

class DotWriter {
 public:
  explicit DotWriter(const DrawGraph& g) : g_(g) {}

  std::string write() {
    out_ << "digraph modtrace {\n";
    out_ << "  graph [fontname=\"Helvetica\", fontsize=13, labelloc=t, labeljust=l, rankdir=TB, nodesep=0.25, "
            "ranksep=0.3, newrank=true, label=<"
         << title_html() << ">];\n";
    out_ << "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", margin=\"0.1,0.04\"];\n";
    out_ << "  edge [color=\"#666666\", arrowsize=0.6];\n";
    write_members(-1, 1);
    for (const auto& e : g_.edges) out_ << "  \"" << e.from << "\" -> \"" << e.to << "\";\n";
    write_legend();
    out_ << "}\n";
    return out_.str();
  }

 private:
  std::string title_html() const {
    std::string s;
    size_t start = 0;
    // Title lines are separated by '\n'; the first is bold.
    for (int line = 0; start <= g_.title.size(); ++line) {
      size_t end = g_.title.find('\n', start);
      if (end == std::string::npos) end = g_.title.size();
      const std::string text = html_escape(g_.title.substr(start, end - start));
      s += (line == 0 ? "<b>" + text + "</b>" : "<br/>" + text);
      start = end + 1;
    }
    return s;
  }

  // SVG ids and classes (Graphviz copies `id` and `class` into the SVG):
  // the role, and "in-<cluster id>" for every enclosing cluster, which is
  // how the HTML view knows what a collapsed cluster hides.
  std::string classes(const std::string& own, int cluster) const {
    std::string text = own;
    for (int c = cluster; c >= 0; c = g_.clusters[c].parent) text += " in-" + g_.clusters[c].id;
    return text;
  }

  void write_node(const DrawNode& n, int indent) {
    const Style st = style_of(n.role);
    out_ << std::string(indent * 2, ' ') << "\"" << n.id << "\" [id=\"" << n.id << "\", class=\""
         << classes(role_class(n.role), n.cluster) << "\", label=" << html_label(n.lines) << ", shape=" << st.shape
         << ", fillcolor=\"" << st.fill << "\", color=\"" << st.border << "\"" << st.extra;
    if (!n.details.empty()) out_ << ", tooltip=" << dot_string(tooltip(n.details));
    out_ << "];\n";
  }

  // Nodes and sub-clusters of cluster `parent` (-1: top level).
  void write_members(int parent, int indent) {
    const std::string pad(indent * 2, ' ');
    for (size_t i = 0; i < g_.clusters.size(); ++i) {
      const DrawCluster& c = g_.clusters[i];
      if (c.parent != parent) continue;
      out_ << pad << "subgraph \"" << c.id << "\" {\n";
      out_ << pad << "  id=\"" << c.id << "\"; class=\"" << classes(c.emphasised ? "half" : "module", c.parent) << "\";";
      if (!c.details.empty()) out_ << " tooltip=" << dot_string(tooltip(c.details)) << ";";
      out_ << "\n";
      out_ << pad << "  label=<" << (c.emphasised ? "<b>" + html_escape(c.label) + "</b>" : html_escape(c.label))
           << ">; fontsize=" << (c.emphasised ? 13 : 10) << "; style=\"rounded" << (c.emphasised ? "" : ",dashed")
           << "\"; color=\"" << (c.emphasised ? "#444444" : "#7f9fbf") << "\"; penwidth="
           << (c.emphasised ? 1.5 : 1) << ";\n";
      write_members(static_cast<int>(i), indent + 1);
      out_ << pad << "}\n";
    }
    for (const auto& n : g_.nodes) {
      if (n.cluster == parent) write_node(n, indent);
    }
  }

  void write_legend() {
    if (g_.legend.empty()) return;
    out_ << "  subgraph cluster_legend {\n";
    out_ << "    id=\"cluster_legend\"; class=\"legend\"; label=<<b>legend</b>>; fontsize=10; style=\"rounded\"; "
            "color=\"#bbbbbb\";\n";
    for (size_t i = 0; i < g_.legend.size(); ++i) {
      const Style st = style_of(g_.legend[i]);
      out_ << "    \"legend_" << i << "\" [id=\"legend_" << i << "\", class=\"legend\", label=\"" << st.meaning << "\", shape=" << st.shape << ", fillcolor=\""
           << st.fill << "\", color=\"" << st.border << "\"" << st.extra << "];\n";
    }
    for (size_t i = 1; i < g_.legend.size(); ++i) {
      out_ << "    \"legend_" << i - 1 << "\" -> \"legend_" << i << "\" [style=invis];\n";
    }
    out_ << "  }\n";
  }

  const DrawGraph& g_;
  std::ostringstream out_;
};

}  // namespace

std::string to_dot(const DrawGraph& graph) { return DotWriter(graph).write(); }

const char* role_class(Role role) {
  switch (role) {
    case Role::input: return "input";
    case Role::output: return "output";
    case Role::parameter: return "parameter";
    case Role::module_owned: return "module-owned";
    case Role::functional: return "functional";
    case Role::module: return "module";
    case Role::dropped: return "dropped";
    case Role::added: return "added";
    case Role::replayed: return "replayed";
    case Role::failed: return "failed";
  }
  return "node";
}

}  // namespace modtrace::detail
