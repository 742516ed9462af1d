#pragma once
/// Error conventions (docs/conventions.md): bad input at a public boundary throws
/// std::invalid_argument with "<where>: <what> (got X, need Y)". The CLI prints that line and
/// exits non-zero. Expected numerical outcomes are statuses, not exceptions.

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace plnet {

/// Streams every argument into one string (a small stand-in for std::format, absent in GCC 12).
template <typename... Args>
std::string concat(Args&&... args) {
  std::ostringstream out;
  out.precision(17);
  (out << ... << std::forward<Args>(args));
  return out.str();
}

/// Throws std::invalid_argument("<where>: <what>") when `condition` is false.
template <typename... Args>
void require(bool condition, const std::string& where, Args&&... what) {
  if (!condition) throw std::invalid_argument(where + ": " + concat(std::forward<Args>(what)...));
}

}  // namespace plnet
