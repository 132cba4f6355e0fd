// trace_to_dot and comparison_to_dot assemble views; render_dot and
// write_picture hand DOT to Graphviz.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <chrono>
#include <csignal>
#include <thread>

#include "modtrace/analysis.hpp"
#include "modtrace/io.hpp"
#include "modtrace/repair.hpp"
#include "modtrace/trace.hpp"
#include "render/html.hpp"
#include "render/view.hpp"

extern char** environ;

namespace modtrace {
namespace {

using detail::DrawGraph;
using detail::Role;

// The roles present, in a fixed order, for the legend.
std::vector<Role> roles_used(const DrawGraph& g) {
  static const Role order[] = {Role::input,   Role::output, Role::parameter, Role::functional, Role::dropped,
                               Role::module_owned, Role::module, Role::added, Role::replayed, Role::failed};
  std::vector<Role> used;
  for (Role r : order) {
    for (const auto& n : g.nodes) {
      if (n.role == r) {
        // Inputs and outputs share one legend entry.
        if (!(r == Role::output && !used.empty() && used.front() == Role::input)) used.push_back(r);
        break;
      }
    }
  }
  return used;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string root_type(const Trace& trace) {
  for (const auto& c : trace.calls()) {
    if (c.parent < 0) return std::string(c.type());
  }
  return "trace";
}

}  // namespace

std::string trace_to_dot(const Trace& trace, const RenderOptions& options) {
  DrawGraph g;
  g.title = options.title.empty() ? root_type(trace) + (trace.shape_only() ? " (shape-only trace)" : "") : options.title;
  if (const auto& failure = trace.failure()) g.title += "\nstopped: " + failure->message;
  detail::add_trace_view(trace, {.depth = options.depth, .show_parameters = options.show_parameters, .roll = options.roll}, g);
  if (options.show_legend) g.legend = roles_used(g);
  return detail::to_dot(g);
}

std::string comparison_to_dot(const ChildrenReport& r, const RenderOptions& options) {
  DrawGraph g;
  const std::string who = r.path.empty() ? r.module_type : r.path + " (" + r.module_type + ")";
  g.title = options.title.empty() ? who + " vs nn.Sequential(*children()): " + std::string(verdict_name(r.verdict))
                                  : options.title;
  auto shapes = [](const std::optional<Shape>& s) { return s ? to_string(*s) : std::string("(none)"); };
  std::string outputs;
  for (size_t i = 0; i < r.output.outputs.size(); ++i) {
    const OutputPair& p = r.output.outputs[i];
    outputs += (outputs.empty() ? "" : ", ") + std::string(r.output.outputs.size() == 1 ? "output " : "output " + std::to_string(i) + " ") +
               shapes(p.original) + " vs " + (r.sequential.ok ? shapes(p.sequential) : std::string("(none)"));
  }
  if (r.output.compared) outputs += ", max |difference| " + number(r.output.max_abs_diff);
  if (!r.sequential.ok) outputs += "; the Sequential fails at " + r.sequential.failed_child;
  g.title += "\n" + outputs + "; " + std::to_string(r.dropped.size()) + " dropped op" +
             (r.dropped.size() == 1 ? "" : "s");
  const int depth = options.depth < 0 ? 1 : options.depth;  // 0: everything, as for a trace

  g.clusters.push_back({"cluster_original", "original: " + r.module_type + ".forward", -1, true});
  detail::add_trace_view(r.original,
                         {.depth = depth, .show_parameters = options.show_parameters, .roll = options.roll, .id_prefix = "a_",
                          .parent_cluster = 0, .functional_is_dropped = true},
                         g);
  const int sequential_cluster = static_cast<int>(g.clusters.size());
  g.clusters.push_back({"cluster_sequential", "nn.Sequential(*children())", -1, true});
  detail::add_trace_view(r.sequential_trace,
                         {.depth = depth, .show_parameters = options.show_parameters, .roll = options.roll, .id_prefix = "b_",
                          .parent_cluster = sequential_cluster, .child_names = r.children,
                          .added_children = r.unused_children},
                         g);
  if (options.show_legend) g.legend = roles_used(g);
  return detail::to_dot(g);
}

std::string repair_to_dot(const Repair& r, const RenderOptions& options) {
  if (!r.original) throw Error("repair_to_dot: the repair holds no trace");
  DrawGraph g;
  const std::string who = r.at.empty() ? r.module_type : r.at + " (" + r.module_type + ")";
  const std::string what = r.upto.empty() ? "faithful Sequential" : "up to " + r.upto;
  if (!options.title.empty()) {
    g.title = options.title;
  } else if (r.possible) {
    g.title = who + ": " + what + ", " + std::to_string(r.steps.size()) + " steps; " +
              (!r.verified ? "does NOT reproduce the forward"
               : r.shape_only ? "same shapes as the forward"
               : r.exact      ? "exactly the forward's output"
                              : "the forward's output within rounding (max |difference| " + number(r.max_abs_diff) + ")");
  } else {
    g.title = who + ": no faithful Sequential" + (r.upto.empty() ? "" : " up to " + r.upto) + "\n" + r.blocker;
    if (r.module) g.title += "\nthe extracted prefix computes it instead";
  }
  const int depth = options.depth < 0 ? 1 : options.depth;  // 0: everything, as for a trace
  g.clusters.push_back({"cluster_original", "original: " + r.module_type + ".forward", -1, true});
  detail::add_trace_view(*r.original,
                         {.depth = depth, .show_parameters = options.show_parameters, .roll = options.roll, .id_prefix = "a_", .parent_cluster = 0},
                         g);
  if (r.repaired) {
    std::vector<std::string> names, replayed;
    for (const RepairStep& step : r.steps) {
      names.push_back(step.kind == RepairStep::Kind::child ? step.name : "replayed " + step.name);
      if (step.kind == RepairStep::Kind::replay) replayed.push_back(names.back());
    }
    const int repaired_cluster = static_cast<int>(g.clusters.size());
    g.clusters.push_back({"cluster_repaired", r.possible ? (r.upto.empty() ? "faithful nn.Sequential" : "nn.Sequential up to " + r.upto)
                                                         : "extracted up to " + r.upto,
                          -1, true});
    detail::add_trace_view(*r.repaired,
                           {.depth = depth, .show_parameters = options.show_parameters, .roll = options.roll, .id_prefix = "b_",
                            .parent_cluster = repaired_cluster, .child_names = names, .replayed_children = replayed},
                           g);
  }
  if (options.show_legend) g.legend = roles_used(g);
  return detail::to_dot(g);
}

namespace {

std::string find_dot() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / "dot";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  throw Error("Graphviz's 'dot' was not found on PATH; install Graphviz (tools/install-deps.sh does) or write .dot");
}

// Seconds dot may take: MODTRACE_DOT_TIMEOUT, else 300.
int dot_time_limit() {
  const char* text = std::getenv("MODTRACE_DOT_TIMEOUT");
  if (text == nullptr) return 300;
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v <= 0 || v > 86400) {
    throw Error(std::string("MODTRACE_DOT_TIMEOUT='") + text + "' is not a number of seconds between 1 and 86400");
  }
  return static_cast<int>(v);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A scratch directory removed on scope exit.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "modtrace-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw Error(std::string("cannot create a temporary directory: ") + std::strerror(errno));
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

std::string render_dot(const std::string& dot, const std::string& format) {
  if (format == "html") return detail::html_page(render_dot(dot, "svg"));
  if (format != "svg" && format != "png") throw Error("cannot render '" + format + "': expected svg, png or html");
  const std::string program = find_dot();
  // Read before dot starts: a bad value must not leave a dot running unwaited.
  const int limit = dot_time_limit();
  ScratchDir scratch;
  const auto in = scratch.path / "graph.dot";
  const auto out = scratch.path / ("graph." + format);
  const auto err = scratch.path / "stderr.txt";
  {
    std::ofstream f(in, std::ios::binary);
    f << dot;
    if (!f) throw Error("cannot write " + in.string());
  }
  // No shell: arguments go straight to dot.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const std::string type = "-T" + format;
  const std::string output = "-o" + out.string();
  std::vector<char*> argv = {const_cast<char*>(program.c_str()), const_cast<char*>(type.c_str()),
                             const_cast<char*>(in.c_str()), const_cast<char*>(output.c_str()), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw Error("cannot run " + program + ": " + std::strerror(spawned));
  // Waits at most the time limit, then stops dot: a graph too large for it
  // should fail, not hang the tool.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit);
  int status = 0;
  bool timed_out = false;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw Error(std::string("cannot wait for Graphviz's dot: ") + std::strerror(errno));
    if (!timed_out && std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      timed_out = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string advice = "; draw fewer nodes: a smaller --depth (RenderOptions::depth) or a sub-module with --at";
  if (timed_out) {
    throw Error("Graphviz's dot did not finish rendering " + format + " within " + std::to_string(limit) +
                " s (MODTRACE_DOT_TIMEOUT sets the limit)" + advice);
  }
  if (WIFSIGNALED(status)) {
    throw Error("Graphviz's dot crashed rendering " + format + " (" + strsignal(WTERMSIG(status)) +
                "), as it does on graphs too large for it" + advice);
  }
  if (WEXITSTATUS(status) != 0) {
    std::string message = read_file(err);
    if (const size_t nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
    throw Error("Graphviz's dot failed to render " + format + " (exit " + std::to_string(WEXITSTATUS(status)) + ")" +
                (message.empty() ? "" : ": " + message));
  }
  std::string picture = read_file(out);
  // dot exiting 0 is not enough: the picture must be there and be one.
  const bool looks_right = format == "svg" ? picture.find("<svg") != std::string::npos
                                           : picture.rfind(std::string("\x89PNG\r\n\x1a\n", 8), 0) == 0;
  if (!looks_right) {
    throw Error("Graphviz's dot exited without error but wrote " +
                (picture.empty() ? std::string("nothing") : std::to_string(picture.size()) + " bytes that are no " + format) +
                "; nothing was written");
  }
  return picture;
}

void write_picture(const std::string& dot, const std::string& path) {
  const std::string extension = std::filesystem::path(path).extension().string();
  std::string bytes;
  if (extension == ".dot" || extension == ".gv") {
    bytes = dot;
  } else if (extension == ".svg" || extension == ".png" || extension == ".html") {
    bytes = render_dot(dot, extension.substr(1));
  } else {
    throw Error("cannot write '" + path + "': the extension must be .dot, .svg, .png or .html");
  }
  write_file(path, bytes);
}

}  // namespace modtrace
