// The progress line (progress.hpp).

#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

namespace modtrace::tool {
namespace {

// The terminal's width, so that the line never wraps (a wrapped line cannot
// be rewritten in place); 80 when it cannot be asked.
size_t terminal_width() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// Control bytes in a name (a plugin's, a file's) shown as '?': the line
// must not be able to drive the terminal.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

Progress& progress() {
  static Progress line;
  return line;
}

void Progress::configure(std::string_view when) {
  enabled_ = when == "always" || (when == "auto" && isatty(STDERR_FILENO) == 1);
}

void Progress::stage(std::string text) {
  if (!enabled_) return;
  stage_ = printable(text);
  child_.clear();
  draw();
}

void Progress::child(std::string_view name, size_t index, size_t total) {
  if (!enabled_) return;
  child_ = printable(name) + " (" + std::to_string(index + 1) + "/" + std::to_string(total) + ")";
  draw();
}

void Progress::draw() {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, ", %.1f s", seconds);
  std::string line = "modtrace: " + stage_ + (child_.empty() ? "" : ": " + child_) + elapsed;
  const size_t width = terminal_width();
  if (line.size() >= width) line = line.substr(0, width > 4 ? width - 4 : 0) + "...";
  // Carriage return, the line, then erase what a longer line left behind.
  const std::string text = "\r" + line + "\x1b[K";
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
  shown_ = true;
}

void Progress::clear() {
  if (!shown_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

Progress::Watch Progress::watch_children(Module& model) {
  Watch watch;
  if (!enabled_) return watch;
  const auto children = model.named_children();
  for (size_t i = 0; i < children.size(); ++i) {
    const std::string name = children[i].first;
    const size_t total = children.size();
    watch.hooks_.push_back(children[i].second->register_forward_pre_hook(
        [this, name, i, total](Module&, const Tensors&) -> std::optional<Tensors> {
          child(name, i, total);
          return std::nullopt;
        }));
  }
  return watch;
}

Progress::Watch::~Watch() {
  for (HookHandle& hook : hooks_) hook.remove();
}

}  // namespace modtrace::tool
