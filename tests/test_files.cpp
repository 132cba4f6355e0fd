// Writing files: whole or not at all, with the reason when it fails.

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "cli.hpp"

using namespace modtrace;
namespace fs = std::filesystem;

namespace {

// Every file in `dir`, to see that no temporary file is left behind.
std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A file-size limit for this process while it lives: writes past it fail
// with EFBIG, as writes to a full disk fail with ENOSPC.
struct FileSizeLimit {
  rlimit saved{};
  sighandler_t handler;
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved);
    handler = ::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved;
    limited.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved);
    ::signal(SIGXFSZ, handler);
  }
};

}  // namespace

TEST_CASE("write_file replaces a file whole, with the permissions a new file gets") {
  test::cli::Scratch s;
  write_file(s / "a.txt", "first");
  write_file(s / "a.txt", "second, longer");
  CHECK(test::cli::slurp(s / "a.txt") == "second, longer");
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((fs::status(s / "a.txt").permissions() & fs::perms::all) == static_cast<fs::perms>(0666 & ~mask));
  CHECK(listing(s.dir) == std::vector<std::string>{"a.txt"});
}

TEST_CASE("a write that fails half-way leaves the old file as it was and says why") {
  test::cli::Scratch s;
  write_file(s / "t.json", "the old trace");
  {
    FileSizeLimit limit(1000);
    CHECK(test::error_of([&] { write_file(s / "t.json", std::string(5000, 'x')); }) ==
          "cannot write '" + (s / "t.json") + "': File too large");
  }
  CHECK(test::cli::slurp(s / "t.json") == "the old trace");
  CHECK(listing(s.dir) == std::vector<std::string>{"t.json"});  // no temporary file left
  CHECK(test::error_of([] { write_file("/nonexistent-dir/x.json", "x"); }) ==
        "cannot write '/nonexistent-dir/x.json': No such file or directory");
  fs::create_directories(s.dir / "folder");
  CHECK(test::error_of([&] { write_file(s / "folder", "x"); }) == "cannot write '" + (s / "folder") + "': Is a directory");
  CHECK(listing(s.dir) == std::vector<std::string>{"folder", "t.json"});
}

TEST_CASE("the tool over a file-size limit keeps the old output, exits 1 and names the reason") {
  test::cli::Scratch s;
  write_file(s / "t.json", "the old trace");
  const std::string command = "ulimit -f 8; " + std::string(MODTRACE_CLI) + " trace resnet18 --shape-only -o " +
                              (s / "t.json") + " >" + (s / "out") + " 2>" + (s / "err");
  const int raw = std::system(("sh -c '" + command + "'").c_str());
  CHECK(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 1);
  CHECK(test::cli::slurp(s / "err") == "modtrace: error: cannot write '" + (s / "t.json") + "': File too large\n");
  CHECK(test::cli::slurp(s / "t.json") == "the old trace");
  CHECK(listing(s.dir) == std::vector<std::string>{"err", "out", "t.json"});
}
