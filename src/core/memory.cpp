#include <plnet/core/error.hpp>
#include <plnet/core/memory.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <stdexcept>

namespace plnet {

double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0.0;
  return static_cast<double>(pages) * static_cast<double>(page_size);
}

std::string bytes_text(double bytes) {
  if (!(bytes >= 1000.0)) return concat(static_cast<long long>(std::max(bytes, 0.0)), " bytes");
  static constexpr const char* kUnits[] = {"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  std::size_t unit = 0;
  double value = bytes / 1000.0;
  while (value >= 999.5 && unit + 1 < std::size(kUnits)) {
    value /= 1000.0;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof text, value < 9.95 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return text;
}

std::string memory_shortfall(double bytes, const std::string& what) {
  const double memory = physical_memory_bytes();
  if (memory <= 0.0 || !(bytes > memory)) return "";
  return concat(what, " need ", bytes_text(bytes), ", more than this machine's ",
                bytes_text(memory), " memory");
}

void require_memory(double bytes, const std::string& where, const std::string& what) {
  const std::string shortfall = memory_shortfall(bytes, what);
  if (!shortfall.empty()) throw std::invalid_argument(where + ": " + shortfall);
}

}  // namespace plnet
