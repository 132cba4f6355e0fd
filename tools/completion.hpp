#pragma once
// Shell completion scripts (bash, zsh) and the man page, generated from the
// tool's own CLI11 definition, so that they list exactly the commands,
// options and choices the parser accepts. meson runs
// `modtrace --generate bash-completion|zsh-completion|man` at build time and
// installs the results.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace modtrace::tool {

// `models`: the zoo's names, offered where a command takes a model (an
// ONNX file is completed as a file name too).
std::string bash_completion(const CLI::App& app, const std::vector<std::string>& models);
std::string zsh_completion(const CLI::App& app, const std::vector<std::string>& models);
// `sections`: extra man page sections in roff, after the commands.
std::string man_page(const CLI::App& app, const std::string& version, const std::string& sections);

}  // namespace modtrace::tool
