// safetensors::parse on any bytes. What parses must survive a round trip:
// serialized again and parsed, the same keys, shapes, values and metadata.

#include <cstring>

#include "harness.hpp"
#include "modtrace/io.hpp"

void fuzz::safetensors(std::string_view bytes) {
  const modtrace::safetensors::File file = modtrace::safetensors::parse(std::string(bytes), "fuzz");
  const std::string again = modtrace::safetensors::serialize(file.tensors, file.metadata);
  const modtrace::safetensors::File back = modtrace::safetensors::parse(again, "round trip");
  if (back.metadata != file.metadata || back.tensors.size() != file.tensors.size()) {
    throw InvariantBroken("safetensors: the round trip changed the metadata or the tensor count");
  }
  for (size_t i = 0; i < file.tensors.size(); ++i) {
    const auto& [key, tensor] = file.tensors[i];
    const auto& [key_back, tensor_back] = back.tensors[i];
    if (key != key_back || tensor.shape() != tensor_back.shape() ||
        (tensor.numel() > 0 &&
         std::memcmp(tensor.data(), tensor_back.data(), static_cast<size_t>(tensor.numel()) * sizeof(float)) != 0)) {
      throw InvariantBroken("safetensors: the round trip changed tensor '" + key + "'");
    }
  }
}
