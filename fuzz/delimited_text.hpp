#pragma once
// A structure-aware mutator for line- and cell-oriented text (CSV tables, edge lists): it edits
// cells, rows and separators rather than bytes, so most inputs stay tables that reach the
// readers' checks of values, counts and shapes.
#include "fuzz_support.hpp"

#include <string>
#include <vector>

namespace plnet::fuzz {

using Row = std::vector<std::string>;

inline std::vector<Row> split_table(const std::string& text, char delimiter) {
  std::vector<Row> rows;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    Row row;
    std::size_t cell = start;
    for (std::size_t i = start; i <= end; ++i)
      if (i == end || text[i] == delimiter) {
        row.push_back(text.substr(cell, i - cell));
        cell = i + 1;
      }
    rows.push_back(row);
    start = end + 1;
  }
  return rows;
}

inline std::string join_table(const std::vector<Row>& rows, char delimiter) {
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t k = 0; k < rows[r].size(); ++k) {
      if (k > 0) out += delimiter;
      out += rows[r][k];
    }
    if (r + 1 < rows.size()) out += '\n';
  }
  return out;
}

inline std::string number_text(Choices& c) {
  if (c.one_in(2)) return std::to_string(c.extreme_integer());
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", c.extreme_double());
  return buffer;
}

/// One to three edits of cells and rows; `delimiter` separates cells.
inline std::size_t mutate_table(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                unsigned seed, char delimiter) {
  Choices c(seed);
  if (size == 0 || c.one_in(5)) return mutate_bytes(data, size, max_size);
  std::vector<Row> rows = split_table(std::string(reinterpret_cast<char*>(data), size), delimiter);
  const int edits = 1 + static_cast<int>(c.below(3));
  for (int k = 0; k < edits && !rows.empty(); ++k) {
    Row& row = rows[c.below(rows.size())];
    switch (c.below(8)) {
      case 0:
      case 1:
        if (!row.empty()) row[c.below(row.size())] = number_text(c);
        break;
      case 2:
        if (!row.empty()) row[c.below(row.size())] = c.odd_string();
        break;
      case 3:  // a cell fewer
        if (!row.empty()) row.erase(row.begin() + static_cast<long>(c.below(row.size())));
        break;
      case 4:  // a cell more
        row.push_back(number_text(c));
        break;
      case 5:  // a row twice
        rows.push_back(row);
        break;
      case 6:  // a row fewer
        rows.erase(rows.begin() + static_cast<long>(c.below(rows.size())));
        break;
      default:  // a comment, blank line or carriage return where a row was
        row = {c.one_in(2) ? std::string("# nodes ") + number_text(c) : std::string("\r")};
        break;
    }
  }
  return emit(join_table(rows, delimiter), data, size, max_size);
}

}  // namespace plnet::fuzz
