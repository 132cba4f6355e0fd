#pragma once
// Running the modtrace tool from a test: its exit status, stdout and stderr,
// and scratch directories for the files it writes.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "helpers.hpp"

namespace fs = std::filesystem;

namespace test::cli {

struct Result {
  int status = -1;
  std::string out, err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A scratch directory for each test's output files.
struct Scratch {
  static inline int made = 0;
  fs::path dir = fs::temp_directory_path() /
                 ("modtrace-cli-" + std::to_string(::getpid()) + "-" + std::to_string(made++));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
};

// `env`: assignments for the tool's environment ("MODTRACE_ISA=avx2").
inline Result tool(const std::string& args, const std::string& env = "") {
  static const Scratch logs;
  const std::string out = logs / "stdout", err = logs / "stderr";
  const std::string command = (env.empty() ? "" : "env " + env + " ") + std::string(MODTRACE_CLI) + " " + args +
                              " >" + out + " 2>" + err;
  const int raw = std::system(command.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

inline bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

inline size_t lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }


}  // namespace test::cli
