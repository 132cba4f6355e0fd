#pragma once
// Reading and writing: safetensors weights, JSON for tensors and traces.
//
//   auto weights = safetensors::read("squeezenet1_0.safetensors");   // checked byte by byte
//   model->load_state_dict(weights.tensors);                          // or safetensors::load_into
//   safetensors::write("out.safetensors", model->state_dict());
//   std::string j = trace_to_json(trace);

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "modtrace/module.hpp"
#include "modtrace/export.hpp"

MODTRACE_PUBLIC_BEGIN
namespace modtrace {

class Trace;  // modtrace/trace.hpp: not included, so that reading and writing files does not pay for Boost.Graph

// Writes `bytes` to `path` whole or not at all: through a temporary file in
// the same folder, renamed over `path` once every byte is on disk. On failure
// `path` is as it was and the Error gives the reason ("No space left on
// device"). Every file modtrace writes goes through it.
void write_file(const std::string& path, std::string_view bytes);

// The layout version every JSON document modtrace writes starts with
// ("schema_version": 1): tensors, traces, diff, fix and extract reports,
// errors. docs/json.md describes each field and docs/schemas/ holds a JSON
// Schema per document; the number goes up when a field changes meaning or
// goes away (new fields do not change it).
inline constexpr int kJsonSchemaVersion = 1;

// {"schema_version": 1, "shape": [...], "data": [...]} (data empty for meta
// tensors; non-finite values as null).
std::string tensor_to_json(const Tensor& t);

// Nodes (op, attributes, ownership, module, shapes, source), edges and module calls.
std::string trace_to_json(const Trace& trace, int indent = -1);

// The trace as text in the style of torch.fx's graph printout: the inputs,
// then one line per op naming the values it reads (node ids; a parameter or
// buffer by its key unless show_parameters gives it a line of its own),
// with its source line, output shape and module; then what is returned.
//
//   graph(%0 input: [2, 2]):
//     %1 = mul(%0, other=2)  # lib/zoo/seed.cpp:5  [2, 2]  block_0
//     %2 = mul(%1, other=3)  # lib/zoo/seed.cpp:11  [2, 2]  (functional)
//     …
//     return %4
std::string trace_to_ir(const Trace& trace, bool show_parameters = false);

namespace safetensors {

struct File {
  NamedTensors tensors;                         // in file order (by data offset)
  std::map<std::string, std::string> metadata;  // "__metadata__"
};

// Parses a safetensors file: 8-byte little-endian header length, JSON header,
// tensor bytes. F32 is read as is; F64, F16, BF16, I64, I32, I16, I8, U8 and
// BOOL are converted to float32. Every problem (truncated file, header length
// past the end, malformed JSON, bad shapes, offsets out of range, overlapping
// or leaving holes, byte counts that disagree with the shape, unknown dtypes,
// duplicate keys) is an Error naming the key and the problem.
File parse(const std::string& bytes, const std::string& source = "safetensors data");
File read(const std::string& path);

// Writes F32 tensors in the given order.
std::string serialize(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata = {});
void write(const std::string& path, const NamedTensors& tensors,
           const std::map<std::string, std::string>& metadata = {});

// Reads `path` and loads it with load_state_dict: all checks first, nothing
// half-loaded on error.
LoadResult load_into(Module& module, const std::string& path, bool strict = true);

}  // namespace safetensors
}  // namespace modtrace
MODTRACE_PUBLIC_END
