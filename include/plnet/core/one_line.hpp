#pragma once
/// Keeping an error message on one line (docs/conventions.md: every error is one line).

#include <string>

namespace plnet {

/// `text` (e.g. a parser's message quoting the input) on one line: line breaks, tabs and other
/// control characters become their C escapes ("\n", "\x01").
inline std::string one_line(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace plnet
