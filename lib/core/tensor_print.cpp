// PyTorch-style printing, a port of torch/_tensor_str.py (1.13) for float32:
// the same integer/fixed/scientific mode choice, column width, line
// wrapping at 80 columns and summarisation past 1000 elements.

#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>

#include "modtrace/tensor.hpp"

namespace modtrace {
namespace {

std::string printf_string(const char* format, int width, int precision, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, width, precision, value);
  return buf;
}

class Formatter {
 public:
  Formatter(const std::vector<float>& shown, int precision) : precision_(precision) {
    bool any = false;
    double lo = 0.0, hi = 0.0;
    for (float v : shown) {
      if (!std::isfinite(v) || v == 0.0f) continue;
      const double a = std::abs(static_cast<double>(v));
      lo = any ? std::min(lo, a) : a;
      hi = any ? std::max(hi, a) : a;
      any = true;
      if (v != std::ceil(v)) int_mode_ = false;
    }
    if (!any) return;  // zeros, infinities and NaNs only: integer mode, width 1
    const bool wide_range = hi / lo > 1000.0 || hi > 1.0e8;
    sci_mode_ = int_mode_ ? wide_range : (wide_range || lo < 1.0e-4);
    for (float v : shown) {
      if (!std::isfinite(v) || v == 0.0f) continue;
      const size_t len = sci_mode_  ? printf_string("%*.*e", 0, precision_, v).size()
                         : int_mode_ ? printf_string("%*.*f", 0, 0, v).size() + 1
                                     : printf_string("%*.*f", 0, precision_, v).size();
      width_ = std::max(width_, len);
    }
  }

  size_t width() const { return width_; }

  std::string format(float v) const {
    std::string s;
    if (sci_mode_) {
      s = printf_string("%*.*e", static_cast<int>(width_), precision_, v);
    } else if (int_mode_) {
      s = printf_string("%*.*f", 0, 0, v);
      if (std::isfinite(v)) s += ".";
    } else {
      s = printf_string("%*.*f", 0, precision_, v);
    }
    if (s.size() < width_) s.insert(0, width_ - s.size(), ' ');
    return s;
  }

 private:
  int precision_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  size_t width_ = 1;
};

struct Printer {
  const Shape& shape;
  std::vector<int64_t> strides;
  const PrintOptions& opt;
  bool summarize;

  bool elided(size_t d) const { return summarize && shape[d] > 2 * opt.edgeitems; }

  // Indices along dimension d that are shown (-1 marks the "..." gap).
  std::vector<int64_t> shown_indices(size_t d) const {
    std::vector<int64_t> idx;
    if (elided(d)) {
      for (int64_t i = 0; i < opt.edgeitems; ++i) idx.push_back(i);
      idx.push_back(-1);
      for (int64_t i = shape[d] - opt.edgeitems; i < shape[d]; ++i) idx.push_back(i);
    } else {
      for (int64_t i = 0; i < shape[d]; ++i) idx.push_back(i);
    }
    return idx;
  }

  // The shown values in printing order. Iterative, like render(): an
  // odometer over the shown indices of each dimension.
  void collect(const float* p, std::vector<float>& out) const {
    const size_t rank = shape.size();
    std::vector<std::vector<int64_t>> shown(rank);
    for (size_t d = 0; d < rank; ++d) {
      for (int64_t i : shown_indices(d)) {
        if (i >= 0) shown[d].push_back(i);
      }
      if (shown[d].empty()) return;
    }
    std::vector<size_t> position(rank, 0);
    while (true) {
      int64_t offset = 0;
      for (size_t d = 0; d < rank; ++d) offset += shown[d][position[d]] * strides[d];
      out.push_back(p[offset]);
      size_t d = rank;
      while (d > 0 && ++position[d - 1] == shown[d - 1].size()) position[--d] = 0;
      if (d == 0) return;
    }
  }

  // One innermost row: "[a, b, …]", wrapped at the line width.
  std::string row(const float* p, int64_t indent, const Formatter& f) const {
    const size_t d = shape.size() - 1;
    const int64_t element_length = static_cast<int64_t>(f.width()) + 2;
    const int64_t per_line = std::max<int64_t>(1, (opt.linewidth - indent) / element_length);
    std::vector<std::string> items;
    for (int64_t i : shown_indices(d)) items.push_back(i < 0 ? " ..." : f.format(p[i * strides[d]]));
    std::string s = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) s += (static_cast<int64_t>(i) % per_line == 0) ? ",\n" + std::string(indent + 1, ' ') : ", ";
      s += items[i];
    }
    return s + "]";
  }

  // The nested brackets, with an explicit stack rather than recursion (one
  // frame per dimension being printed).
  std::string render(const float* p, int64_t indent, const Formatter& f) const {
    const size_t rank = shape.size();
    if (rank == 0) return f.format(*p);
    struct Frame {
      size_t d;
      const float* p;
      int64_t indent;
      std::vector<int64_t> indices;
      size_t next = 0;
    };
    std::string out;
    std::vector<Frame> stack;
    auto open = [&](size_t d, const float* at, int64_t at_indent) {
      if (d == rank - 1) {
        out += row(at, at_indent, f);
      } else {
        out += "[";
        stack.push_back({d, at, at_indent, shown_indices(d)});
      }
    };
    open(0, p, indent);
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == top.indices.size()) {
        out += "]";
        stack.pop_back();
        continue;
      }
      if (top.next > 0) out += "," + std::string(rank - top.d - 1, '\n') + std::string(top.indent + 1, ' ');
      const int64_t i = top.indices[top.next++];
      if (i < 0) {
        out += "...";
        continue;
      }
      const size_t d = top.d;  // `top` may move when the stack grows
      const float* child = top.p + i * strides[d];
      const int64_t child_indent = top.indent + 1;
      open(d + 1, child, child_indent);
    }
    return out;
  }
};

std::string python_tuple(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// torch/_tensor_str.py's _add_suffixes.
std::string add_suffixes(std::string body, const std::vector<std::string>& suffixes, int64_t indent,
                         int64_t linewidth) {
  const size_t newline = body.rfind('\n');
  int64_t last_line_len = static_cast<int64_t>(body.size()) -
                          (newline == std::string::npos ? -1 : static_cast<int64_t>(newline)) + 1;
  for (const auto& suffix : suffixes) {
    const auto len = static_cast<int64_t>(suffix.size());
    if (last_line_len + len + 2 > linewidth) {
      body += ",\n" + std::string(indent, ' ') + suffix;
      last_line_len = indent + len;
    } else {
      body += ", " + suffix;
      last_line_len += len + 2;
    }
  }
  return body + ")";
}

}  // namespace

std::string to_string(const Tensor& t, const PrintOptions& options) {
  if (!t.defined()) return "tensor(undefined)";
  const std::string prefix = "tensor(";
  const auto indent = static_cast<int64_t>(prefix.size());
  std::vector<std::string> suffixes;
  std::string body;
  if (t.is_meta()) {
    body = "...";
    suffixes = {"device='meta'", "size=" + python_tuple(t.shape())};
  } else if (t.numel() == 0) {
    body = "[]";
    if (t.dim() != 1) suffixes.push_back("size=" + python_tuple(t.shape()));
  } else {
    Printer printer{t.shape(), contiguous_strides(t.shape()), options, t.numel() > options.threshold};
    std::vector<float> shown;
    printer.collect(t.data(), shown);
    const Formatter formatter(shown, options.precision);
    body = printer.render(t.data(), indent, formatter);
  }
  return add_suffixes(prefix + body, suffixes, indent, options.linewidth);
}

std::string Tensor::str() const { return to_string(*this, PrintOptions{}); }

std::ostream& operator<<(std::ostream& out, const Tensor& t) { return out << t.str(); }

}  // namespace modtrace
