// The memory budget: tensor storage is counted, checked against a limit
// before it is allocated, and an op that would exceed it fails with its
// name, module and shapes instead of a bare std::bad_alloc.

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "cli.hpp"
#include "helpers.hpp"

using namespace modtrace;
using test::cli::contains;

namespace {

// Sets a limit for one test case and puts the previous one back.
struct LimitForTest {
  int64_t saved = memory_limit();
  explicit LimitForTest(int64_t bytes) { set_memory_limit(bytes); }
  ~LimitForTest() { set_memory_limit(saved); }
};

int64_t mem_total_from_proc() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  int64_t kib = 0;
  while (in >> key >> kib >> unit) {
    if (key == "MemTotal:") return kib * 1024;
  }
  return 0;
}

}  // namespace

TEST_CASE("tensor storage is counted while a tensor holds it, and views add nothing") {
  const int64_t before = memory_in_use();
  {
    Tensor t = Tensor::zeros({256, 1024});
    CHECK(memory_in_use() - before == 256 * 1024 * 4);
    Tensor view = t.reshape({1024, 256});
    Tensor copy_of_handle = t;
    CHECK(memory_in_use() - before == 256 * 1024 * 4);
    t = Tensor();
    CHECK(memory_in_use() - before == 256 * 1024 * 4);  // the view still holds it
  }
  CHECK(memory_in_use() == before);
}

TEST_CASE("the peak is the most held since it was reset") {
  reset_peak_memory_in_use();
  const int64_t before = memory_in_use();
  { Tensor big = Tensor::zeros({1 << 20}); }
  { Tensor small = Tensor::zeros({1 << 10}); }
  CHECK(peak_memory_in_use() - before == (1 << 20) * 4);
  reset_peak_memory_in_use();
  CHECK(peak_memory_in_use() == memory_in_use());
}

TEST_CASE("an op that would exceed the limit names the op, its module and the shapes") {
  auto model = zoo::create("resnet18");
  const Tensor x = Tensor::ones({1, 3, 224, 224});
  const LimitForTest limit(memory_in_use() + (1 << 20));  // 1 MiB more: conv1's 3 MiB output cannot fit
  const std::string message = test::error_of([&] { (*model)(x); });
  CHECK(message.find("in module 'conv1' (Conv2d)") == 0);
  CHECK(contains(message, "conv2d: cannot allocate a tensor of shape [1, 64, 112, 112] (3.1 MiB)"));
  CHECK(contains(message, "the memory limit is "));
  CHECK(contains(message, "(got input [1, 3, 224, 224], weight [64, 3, 7, 7])"));
}

TEST_CASE("a kernel's workspace is counted and named as such") {
  // The built-in 3x3 convolution unfolds its input into a [9 * 4, 64 * 64]
  // workspace (576 KiB), larger than its output [1, 4, 64, 64] (64 KiB).
  const std::string library{kernel_library()};
  set_kernel_library("builtin");
  const Tensor x = Tensor::ones({1, 4, 64, 64});
  const Tensor w = Tensor::ones({4, 4, 3, 3});
  std::string message;
  {
    const LimitForTest limit(memory_in_use() + 128 * 1024);
    message = test::error_of([&] { F::conv2d(x, w, {}, 1, 1); });
  }
  set_kernel_library(library);
  CHECK(message.find("conv2d: cannot allocate a workspace of shape [36, 4096] (576.0 KiB)") == 0);
}

TEST_CASE("oneDNN's copies in its own layouts are workspaces too, counted and named") {
  // 32 channels: oneDNN blocks them, so input, weights and output are
  // reordered into buffers of its layout, each the size of the original.
  if (kernel_library() != "onednn") return;  // a build without oneDNN
  const Tensor x = Tensor::ones({1, 32, 64, 64});
  const Tensor w = Tensor::ones({32, 32, 3, 3});
  const int64_t before = memory_in_use();
  std::string message;
  {
    const LimitForTest limit(before + 32 * 64 * 64 * 4 + 1024);  // the output, and not a copy of it
    message = test::error_of([&] { F::conv2d(x, w, {}, 1, 1); });
    CHECK(memory_in_use() == before);
  }
  CHECK(message.find("conv2d: cannot allocate a workspace of shape [") == 0);
  const Tensor y = F::conv2d(x, w, {}, 1, 1);
  CHECK(y.at({0, 0, 1, 1}) == 288.0f);  // 32 channels x 9 taps
}

TEST_CASE("after a refused allocation the count is back where it was, and the op runs under a higher limit") {
  const Tensor x = Tensor::ones({1, 4, 64, 64});
  const Tensor w = Tensor::ones({4, 4, 3, 3});
  const int64_t before = memory_in_use();
  {
    const LimitForTest limit(before + 1024);
    CHECK_THROWS_AS(F::conv2d(x, w, {}, 1, 1), Error);
    CHECK(memory_in_use() == before);
  }
  const Tensor y = F::conv2d(x, w, {}, 1, 1);
  CHECK(y.at({0, 0, 1, 1}) == 36.0f);
}

TEST_CASE("building a model whose parameters exceed the limit is a clear error") {
  const LimitForTest limit(memory_in_use() + (1 << 20));
  const std::string message = test::error_of([] { zoo::create("resnet18"); });
  CHECK(message.find("cannot allocate a tensor of shape [") == 0);
  CHECK(contains(message, "the memory limit is "));
}

TEST_CASE("a shape-only trace allocates no tensor data, however large the input") {
  auto model = zoo::create("resnet18");
  const Tensor x = Tensor::meta({1, 3, 8000, 8000});  // 732 MiB were it real
  reset_peak_memory_in_use();
  const int64_t before = memory_in_use();
  const Trace t = trace_module(*model, {x}, {.shape_only = true});
  CHECK(t.output_values().front().shape() == Shape{1, 1000});
  CHECK(peak_memory_in_use() == before);
}

TEST_CASE("a shape-only trace of a real input allocates nothing either") {
  auto model = zoo::create("seed_main_model");
  const Tensor x = Tensor::ones({512, 512});
  reset_peak_memory_in_use();
  const int64_t before = memory_in_use();
  trace_module(*model, {x}, {.shape_only = true});
  CHECK(peak_memory_in_use() == before);
}

TEST_CASE("threads allocating at once leave the count where it began") {
  const int64_t before = memory_in_use();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([] {
      for (int k = 0; k < 2000; ++k) {
        Tensor t = Tensor::ones({1 + k % 7, 33});
        Tensor u = t * 2.0f;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(memory_in_use() == before);
}

TEST_CASE("the limit must be positive") {
  CHECK(test::error_of([] { set_memory_limit(0); }) ==
        "set_memory_limit: the limit must be a positive number of bytes, got 0");
  CHECK(test::error_of([] { set_memory_limit(-5); }) ==
        "set_memory_limit: the limit must be a positive number of bytes, got -5");
}

TEST_CASE("the default limit is three quarters of this machine's memory") {
  const int64_t total = mem_total_from_proc();
  REQUIRE(total > 0);
  // A cgroup limit may be lower than the machine's memory; never higher.
  CHECK(default_memory_limit() <= total / 4 * 3);
  CHECK(default_memory_limit() == parse_byte_size("75%"));
  CHECK(default_memory_limit() > 0);
}

TEST_CASE("memory sizes read units as powers of 1024, with or without iB") {
  CHECK(parse_byte_size("2048") == 2048);
  CHECK(parse_byte_size("512B") == 512);
  CHECK(parse_byte_size("4k") == 4096);
  CHECK(parse_byte_size("512M") == 512LL << 20);
  CHECK(parse_byte_size("512 MiB") == 512LL << 20);
  CHECK(parse_byte_size("8G") == 8LL << 30);
  CHECK(parse_byte_size("1.5GiB") == 3LL << 29);
  CHECK(parse_byte_size("2T") == 2LL << 40);
  CHECK(parse_byte_size(" 8GB ") == 8LL << 30);
  CHECK(parse_byte_size("100%") == default_memory_limit() / 3 * 4);
}

TEST_CASE("a memory size that is not one says what is accepted") {
  const std::string accepted =
      "expected a number of bytes with an optional unit K, M, G or T (powers of 1024, e.g. 512M, 8G, 1.5GiB) or a "
      "percentage of this machine's memory (e.g. 50%)";
  CHECK(test::error_of([] { parse_byte_size(""); }) == "invalid memory size '': no number; " + accepted);
  CHECK(test::error_of([] { parse_byte_size("lots"); }) == "invalid memory size 'lots': no number; " + accepted);
  CHECK(test::error_of([] { parse_byte_size("8Q"); }) == "invalid memory size '8Q': unknown unit 'Q'; " + accepted);
  CHECK(test::error_of([] { parse_byte_size("8GiBs"); }) ==
        "invalid memory size '8GiBs': unknown unit 'GiBs'; " + accepted);
  CHECK(test::error_of([] { parse_byte_size("0"); }) ==
        "invalid memory size '0': the size must be at least one byte; " + accepted);
  CHECK(test::error_of([] { parse_byte_size("-1G"); }) ==
        "invalid memory size '-1G': the size must be at least one byte; " + accepted);
  CHECK(test::error_of([] { parse_byte_size("150%"); }) ==
        "invalid memory size '150%': a percentage must be above 0 and at most 100; " + accepted);
  CHECK(test::error_of([] { parse_byte_size("inf"); }) == "invalid memory size 'inf': no number; " + accepted);
  CHECK(test::error_of([] { parse_byte_size("99999999T"); }) ==
        "invalid memory size '99999999T': too large; " + accepted);
}

TEST_CASE("byte counts print in the largest unit below them") {
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(1023) == "1023 B");
  CHECK(format_bytes(1024) == "1.0 KiB");
  CHECK(format_bytes(3 * 1024 * 1024 + 512 * 1024) == "3.5 MiB");
  CHECK(format_bytes(int64_t{5} << 40) == "5.0 TiB");
}

TEST_CASE("the tool's --max-memory stops an op over it with exit 1 and one line") {
  const auto r = test::cli::tool("run resnet18 --max-memory 46M");
  CHECK(r.status == 1);
  CHECK(test::cli::lines(r.err) == 1);
  CHECK(contains(r.err, "modtrace: error: in module 'conv1' (Conv2d), called at lib/zoo/resnet.cpp:"));
  CHECK(contains(r.err, "conv2d: cannot allocate a tensor of shape [1, 64, 112, 112] (3.1 MiB)"));
  CHECK(contains(r.err, "the memory limit is 46.0 MiB"));
  CHECK(r.out.empty());
}

TEST_CASE("the tool names the model or the input when they do not fit") {
  const auto model = test::cli::tool("--max-memory 1M run resnet18");
  CHECK(model.status == 1);
  CHECK(contains(model.err, "modtrace: error: building resnet18: cannot allocate a tensor of shape ["));
  const auto input = test::cli::tool("run seed_main_model --input-shape 100000x100000 --max-memory 1G");
  CHECK(input.status == 1);
  CHECK(contains(input.err,
                 "modtrace: error: making the input: cannot allocate a tensor of shape [100000, 100000] (37.3 GiB): "
                 "tensors already hold 0 B, and the memory limit is 1.0 GiB"));
}

TEST_CASE("the tool's shape-only commands fit in a small limit") {
  const auto r = test::cli::tool("trace vgg11 --shape-only --input-shape 1x3x8000x8000 --max-memory 600M");
  CHECK(r.status == 0);
  CHECK(contains(r.out, "classifier.6"));
}

TEST_CASE("the tool's --max-memory accepts sizes and percentages and refuses other text") {
  CHECK(test::cli::tool("--max-memory 50% run seed_main_model").status == 0);
  CHECK(test::cli::tool("run seed_main_model --max-memory 1G").status == 0);
  const auto bad = test::cli::tool("run seed_main_model --max-memory 12apples");
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "modtrace: --max-memory: invalid memory size '12apples': unknown unit 'apples'"));
  const auto zero = test::cli::tool("run seed_main_model --max-memory 0");
  CHECK(zero.status == 2);
  CHECK(contains(zero.err, "modtrace: --max-memory: invalid memory size '0': the size must be at least one byte"));
}

// The system refusing memory below the limit (here a 1.5 GB address space,
// `ulimit -v`) is still an op's error, not "std::bad_alloc" or an abort.
// Not under sanitizers: they need far more address space than that.
TEST_CASE("an allocation the system refuses names the op") {
  const test::cli::Scratch scratch;
  const std::string err = scratch / "err";
  const std::string command = "ulimit -v 1500000; " + std::string(MODTRACE_CLI) +
                              " run vgg11 --max-memory 100G --input-shape 1x3x2000x2000 >/dev/null 2>" + err;
  const int raw = std::system(command.c_str());
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 1);
  const std::string message = test::cli::slurp(err);
  CHECK(test::cli::lines(message) == 1);
  CHECK(contains(message, "modtrace: error: in module 'features."));
  CHECK(contains(message, "out of memory"));
  CHECK(contains(message, "below the memory limit of 100.0 GiB"));
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kBlockCache = false;  // off under AddressSanitizer (memory.hpp)
#else
constexpr bool kBlockCache = true;
#endif

// What the block cache holds for a freed storage of `bytes`: the block also
// carries the storage's header (reference counts), under 256 bytes.
bool kept_about(int64_t cached, int64_t bytes) {
  if (!kBlockCache) return cached == 0;
  return cached > bytes && cached < bytes + 256;
}

TEST_CASE("freed storage of 64 KiB or more is kept for the next tensor of its size, outside memory_in_use") {
  release_cached_memory();
  CHECK(memory_cached() == 0);
  const int64_t before = memory_in_use();
  const float* first = nullptr;
  {
    Tensor t = Tensor::empty({65536});  // 256 KiB
    first = t.data();
  }
  CHECK(memory_in_use() == before);
  CHECK(kept_about(memory_cached(), 256 * 1024));
  {
    Tensor again = Tensor::empty({256, 256});  // the same size: the same block
    if (kBlockCache) CHECK(again.data() == first);
    CHECK(memory_cached() == 0);
    CHECK(memory_in_use() == before + 256 * 1024);
  }
  {
    const Tensor small = Tensor::empty({1000});  // 4 KB: left to malloc
  }
  CHECK(kept_about(memory_cached(), 256 * 1024));
  release_cached_memory();
  CHECK(memory_cached() == 0);
}

TEST_CASE("the block cache holds at most a quarter of the memory limit") {
  release_cached_memory();
  {
    const LimitForTest limit(memory_in_use() + 2 * 1024 * 1024);  // a quarter: 512 KiB
    { const Tensor a = Tensor::empty({100000}); }                 // 400 KB: kept
    { const Tensor b = Tensor::empty({100001}); }                 // another 400 KB: over the quarter, freed
    CHECK(kept_about(memory_cached(), 400000));
  }
  release_cached_memory();
}

TEST_CASE("a forward run twice reuses its intermediates' memory") {
  if (!kBlockCache) return;
  release_cached_memory();
  auto model = zoo::create("squeezenet1_0");
  const Tensor x = Tensor::deterministic({1, 3, 64, 64});
  model->call({x});
  const int64_t kept = memory_cached();
  CHECK(kept > 0);
  reset_peak_memory_in_use();
  model->call({x});
  CHECK(memory_cached() == kept);  // every block taken was given back, none added
  release_cached_memory();
}
