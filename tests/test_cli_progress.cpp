// The tool's progress line on stderr: shown when stderr is a terminal (or
// with --progress always), one line rewritten in place through the stages
// and the children being called, erased before anything else is printed;
// nothing at all when stderr is a pipe or a file.

#include "cli.hpp"

using namespace test::cli;

namespace {

const std::string kErase = "\x1b[K";

// The lines the progress line showed, in order: each "\r<line>\x1b[K".
std::vector<std::string> shown(const std::string& err) {
  std::vector<std::string> lines;
  size_t at = 0;
  while ((at = err.find('\r', at)) != std::string::npos) {
    const size_t end = err.find(kErase, at);
    if (end == std::string::npos) break;
    if (end > at + 1) lines.push_back(err.substr(at + 1, end - at - 1));
    at = end;
  }
  return lines;
}

// "modtrace: tracing MainModel: block_0 (1/2), 0.0 s" without its time.
std::string without_time(const std::string& line) { return line.substr(0, line.rfind(", ")); }

// Runs the tool with stderr on a pseudo-terminal (util-linux's script), its
// stdout thrown away: what the terminal received.
Result on_terminal(const std::string& args) {
  const Scratch s;
  const std::string command = "script -qec '" + std::string(MODTRACE_CLI) + " " + args + " >/dev/null' /dev/null > " +
                              (s / "terminal") + " 2>&1";
  const int raw = std::system(command.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, "", slurp(s / "terminal")};
}

}  // namespace

TEST_CASE("diff shows each stage and each child being called, then erases the line") {
  const Result r = tool("--progress always diff seed_main_model");
  CHECK(r.status == 0);
  std::vector<std::string> lines;
  for (const std::string& line : shown(r.err)) lines.push_back(without_time(line));
  CHECK(lines == std::vector<std::string>{
                     "modtrace: building seed_main_model",
                     "modtrace: tracing MainModel",
                     "modtrace: tracing MainModel: block_0 (1/2)",
                     "modtrace: tracing MainModel: block_1 (2/2)",
                     "modtrace: tracing the children-only Sequential",
                     "modtrace: tracing the children-only Sequential: block_0 (1/2)",
                     "modtrace: tracing the children-only Sequential: block_1 (2/2)",
                     "modtrace: comparing",
                 });
  CHECK(r.err.ends_with("\r" + kErase));  // nothing left on the terminal
  // The report itself is the same with or without progress.
  CHECK(r.out == tool("diff seed_main_model").out);
}

TEST_CASE("fix shows the repair's stages and the picture being drawn") {
  const Scratch s;
  const Result r = tool("--progress always fix seed_main_model --at block_0 -o " + (s / "fix.dot"));
  CHECK(r.status == 0);
  std::vector<std::string> lines;
  for (const std::string& line : shown(r.err)) lines.push_back(without_time(line));
  REQUIRE(lines.size() >= 5);
  CHECK(lines[1] == "modtrace: running the model up to block_0");
  CHECK(std::find(lines.begin(), lines.end(), "modtrace: building the faithful Sequential") != lines.end());
  CHECK(std::find(lines.begin(), lines.end(), "modtrace: checking it on the input") != lines.end());
  CHECK(lines.back() == "modtrace: drawing " + (s / "fix.dot"));
  CHECK(r.err.ends_with("\r" + kErase));
}

TEST_CASE("an error is printed on a clean line after the progress line is erased") {
  const Result r = tool("--progress always run resnet18 --input-shape 1x4x32x32");
  CHECK(r.status == 1);
  CHECK(contains(r.err, "\r" + kErase + "modtrace: error: in module 'conv1' (Conv2d), called at lib/zoo/resnet.cpp:"));
  CHECK(r.err.ends_with("(got input [1, 4, 32, 32], weight [64, 3, 7, 7])\n"));
}

TEST_CASE("progress is never written to a pipe or a file unless asked for") {
  for (const char* args : {"diff seed_main_model", "--progress auto trace seed_main_model", "--progress never run seed_main_model"}) {
    INFO(args);
    const Result r = tool(args);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }
}

TEST_CASE("on a terminal progress is shown by default, and --progress never silences it") {
  const Result shown_by_default = on_terminal("diff seed_main_model");
  CHECK(shown_by_default.status == 0);
  CHECK(contains(shown_by_default.err, "modtrace: tracing the children-only Sequential: block_1 (2/2), "));
  const Result silenced = on_terminal("--progress never diff seed_main_model");
  CHECK(silenced.status == 0);
  CHECK(silenced.err.empty());
}

TEST_CASE("--progress takes auto, always or never") {
  const Result r = tool("--progress sometimes models");
  CHECK(r.status == 2);
  CHECK(contains(r.err, "--progress: sometimes not in {auto,always,never}"));
}
