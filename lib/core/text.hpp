#pragma once
// Internal: text from outside (module names from a plugin, keys from a file)
// made safe to print: valid UTF-8 for DOT and JSON.

#include <string>
#include <string_view>

namespace modtrace::detail {

// `text` with every byte that does not start a valid UTF-8 sequence (stray
// continuation bytes, overlong forms, surrogates, code points past U+10FFFF,
// truncated sequences) replaced by U+FFFD.
inline std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = byte(i);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = length > 0 && i + length <= text.size();
    for (size_t k = 1; ok && k < length; ++k) ok = (byte(i + k) & 0xC0) == 0x80;
    if (ok && length > 1) {
      uint32_t cp = c & (0x7F >> length);
      for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
      static constexpr uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= smallest[length] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace modtrace::detail
