// Completion scripts and the man page from the CLI11 definition (completion.hpp).

#include "completion.hpp"

#include <algorithm>
#include <set>

namespace modtrace::tool {
namespace {

// Options whose value is a file name: completed as one.
const std::set<std::string> kFileOptions = {"--output", "--weights", "--output-json", "--plugin"};

// What the parser lists: visible options (a hidden one has an empty group),
// help and version included.
std::vector<const CLI::Option*> options_of(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return o->nonpositional() && !o->get_group().empty(); });
}

std::vector<const CLI::App*> commands_of(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App*) { return true; });
}

bool takes_model(const CLI::App& command) {
  const auto positional = command.get_options([](const CLI::Option* o) { return o->get_positional(); });
  return std::any_of(positional.begin(), positional.end(), [](const CLI::Option* o) { return o->get_name(true) == "model"; });
}

std::vector<std::string> names_of(const CLI::Option& o) {
  std::vector<std::string> names;
  for (const std::string& s : o.get_snames()) names.push_back("-" + s);
  for (const std::string& l : o.get_lnames()) names.push_back("--" + l);
  return names;
}

bool takes_value(const CLI::Option& o) { return o.get_expected_max() > 0; }  // flags expect none

bool is_file(const CLI::Option& o) {
  for (const std::string& name : names_of(o)) {
    if (kFileOptions.count(name)) return true;
  }
  return false;
}

// The choices of an option checked by CLI::IsMember: its type name reads
// "TEXT:{text,json}".
std::vector<std::string> choices_of(const CLI::Option& o) {
  const std::string type = o.get_type_name();
  const size_t open = type.find('{');
  const size_t close = type.find('}', open);
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string item;
  for (size_t i = open + 1; i <= close; ++i) {
    if (type[i] == ',' || i == close) {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += type[i];
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& words, const std::string& separator = " ") {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : separator) + w;
  return out;
}

// Every name of `options`, then those of `more` not already there (a
// command's options, then the global ones it also accepts).
std::vector<std::string> all_names(const std::vector<const CLI::Option*>& options,
                                   const std::vector<const CLI::Option*>& more = {}) {
  std::vector<std::string> out;
  for (const auto* list : {&options, &more}) {
    for (const CLI::Option* o : *list) {
      for (const std::string& n : names_of(*o)) {
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
      }
    }
  }
  return out;
}

// Bash: the `case "$prev"` arms completing the values of `options`.
std::string bash_value_cases(const std::vector<const CLI::Option*>& options, const std::string& indent) {
  std::string out;
  for (const CLI::Option* o : options) {
    if (!takes_value(*o)) continue;
    const std::vector<std::string> choices = choices_of(*o);
    out += indent + join(names_of(*o), "|") + ")\n";
    if (!choices.empty()) {
      out += indent + "  mapfile -t COMPREPLY < <(compgen -W \"" + join(choices) + "\" -- \"$cur\")\n";
    } else if (is_file(*o)) {
      out += indent + "  mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n";
    }
    out += indent + "  return ;;\n";
  }
  return out;
}

// zsh, inside single quotes: a quote closed, escaped and reopened; the
// brackets of an _arguments explanation escaped (`brackets`); colons,
// which separate a _describe name from its description, in a name (`colons`).
std::string zsh_text(const std::string& text, bool brackets = true, bool colons = false) {
  std::string out;
  for (const char c : text) {
    if (c == '\'') out += "'\\''";
    else if ((brackets && (c == '[' || c == ']')) || (colons && c == ':')) out += std::string("\\") + c;
    else out += c;
  }
  return out;
}

std::string zsh_option_specs(const std::vector<const CLI::Option*>& options, const std::string& indent) {
  std::string out;
  for (const CLI::Option* o : options) {
    const std::vector<std::string> names = names_of(*o);
    std::string value;
    if (takes_value(*o)) {
      const std::vector<std::string> choices = choices_of(*o);
      const std::string name = o->get_name(false, false);
      value = ":" + name.substr(name.find_first_not_of('-')) + ":";
      if (!choices.empty()) value += "(" + join(choices) + ")";
      else if (is_file(*o)) value += "_files";
    }
    const std::string description = "[" + zsh_text(o->get_description()) + "]" + value;
    // Repeatable options (--plugin, --input-shape) may be given again: a leading '*'.
    const std::string repeat = o->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll ? "*" : "";
    if (names.size() == 1) {
      out += indent + "'" + repeat + names[0] + description + "' \\\n";
    } else {
      out += indent + "'(" + join(names) + ")'{" + join(names, ",") + "}'" + description + "' \\\n";
    }
  }
  return out;
}

// roff: backslashes and hyphens as roff wants them, a line starting with
// a dot or quote made literal.
std::string roff(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string man_options(const std::vector<const CLI::Option*>& options) {
  std::string out;
  for (const CLI::Option* o : options) {
    std::string names;
    for (const std::string& n : names_of(*o)) names += (names.empty() ? "" : ", ") + ("\\fB" + roff(n) + "\\fR");
    if (takes_value(*o)) {
      const std::vector<std::string> choices = choices_of(*o);
      std::string value = o->get_name(false, false);
      value = value.substr(value.find_first_not_of('-'));
      std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) {
        return c == '-' ? '_' : static_cast<char>(std::toupper(c));
      });
      names += " \\fI" + (choices.empty() ? roff(value) : roff(join(choices, "|"))) + "\\fR";
    }
    out += ".TP\n" + names + "\n" + roff(o->get_description()) + "\n";
  }
  return out;
}

}  // namespace

std::string bash_completion(const CLI::App& app, const std::vector<std::string>& models) {
  const auto global = options_of(app);
  std::vector<std::string> command_names;
  for (const CLI::App* c : commands_of(app)) command_names.push_back(c->get_name());
  // The global options that take a value, skipped when finding the command.
  std::vector<std::string> global_with_value;
  for (const CLI::Option* o : global) {
    if (takes_value(*o)) {
      for (const std::string& n : names_of(*o)) global_with_value.push_back(n);
    }
  }
  std::string s =
      "# bash completion for modtrace, generated by `modtrace --generate bash-completion`.\n"
      "_modtrace() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" command=\"\" i\n"
      "  # The command: the first word that is neither an option nor an option's value.\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"${COMP_WORDS[i]}\" in\n"
      "      " + join(global_with_value, "|") + ") ((i++)) ;;\n"
      "      -*) ;;\n"
      "      *) command=\"${COMP_WORDS[i]}\"; break ;;\n"
      "    esac\n"
      "  done\n"
      "  case \"$prev\" in\n" +
      bash_value_cases(global, "    ") +
      "  esac\n"
      "  case \"$command\" in\n"
      "    \"\")\n"
      "      mapfile -t COMPREPLY < <(compgen -W \"" + join(command_names) + " " + join(all_names(global)) +
      "\" -- \"$cur\") ;;\n";
  for (const CLI::App* c : commands_of(app)) {
    const auto options = options_of(*c);
    s += "    " + c->get_name() + ")\n";
    const std::string values = bash_value_cases(options, "        ");
    if (!values.empty()) s += "      case \"$prev\" in\n" + values + "      esac\n";
    s += "      if [[ \"$cur\" == -* ]]; then\n"
         "        mapfile -t COMPREPLY < <(compgen -W \"" + join(all_names(options, global)) + "\" -- \"$cur\")\n";
    if (takes_model(*c)) {
      s += "      else\n"
           "        # A zoo model, or an ONNX file.\n"
           "        mapfile -t COMPREPLY < <(compgen -W \"" + join(models) + "\" -- \"$cur\"; compgen -f -X '!*.onnx' -- \"$cur\"; compgen -d -- \"$cur\")\n";
    }
    s += "      fi ;;\n";
  }
  s += "  esac\n"
       "}\n"
       "complete -o filenames -F _modtrace modtrace\n";
  return s;
}

std::string zsh_completion(const CLI::App& app, const std::vector<std::string>& models) {
  std::string s =
      "#compdef modtrace\n"
      "# zsh completion for modtrace, generated by `modtrace --generate zsh-completion`.\n"
      "_modtrace() {\n"
      "  local context state state_descr line\n"
      "  typeset -A opt_args\n"
      "  _arguments -C \\\n" +
      zsh_option_specs(options_of(app), "    ") +
      "    '1:command:->command' \\\n"
      "    '*::argument:->argument'\n"
      "  case $state in\n"
      "    command)\n"
      "      local -a commands\n"
      "      commands=(\n";
  for (const CLI::App* c : commands_of(app)) {
    s += "        '" + zsh_text(c->get_name(), false, true) + ":" + zsh_text(c->get_description(), false) + "'\n";
  }
  s += "      )\n"
       "      _describe -t commands command commands ;;\n"
       "    argument)\n"
       "      case $line[1] in\n";
  for (const CLI::App* c : commands_of(app)) {
    s += "        " + c->get_name() + ")\n"
         "          _arguments \\\n" +
         zsh_option_specs(options_of(*c), "            ");
    if (takes_model(*c)) {
      s += "            '1:model:{_alternative \"models:zoo model:(" + join(models) +
           ")\" \"files:ONNX file:_files -g \\*.onnx\"}'\n";
    } else {
      s += "            && return\n";
    }
    s += "          ;;\n";
  }
  s += "      esac ;;\n"
       "  esac\n"
       "}\n"
       "_modtrace \"$@\"\n";
  return s;
}

std::string man_page(const CLI::App& app, const std::string& version, const std::string& sections) {
  std::string s = ".TH MODTRACE 1 \"\" \"" + roff(version) + "\" \"User Commands\"\n"
                  ".SH NAME\n"
                  "modtrace \\- " + roff(app.get_description().substr(app.get_description().find(": ") + 2)) + "\n"
                  ".SH SYNOPSIS\n"
                  ".B modtrace\n"
                  "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fICOMMAND OPTIONS\\fR]\n"
                  ".SH OPTIONS\n"
                  "These may come before or after the command.\n" +
                  man_options(options_of(app)) + ".SH COMMANDS\n";
  for (const CLI::App* c : commands_of(app)) {
    s += ".SS \"modtrace " + roff(c->get_name()) + (takes_model(*c) ? " \\fIMODEL\\fP" : "") + "\"\n" +
         roff(c->get_description()) + "\n" + man_options(options_of(*c));
  }
  return s + sections;
}

}  // namespace modtrace::tool
