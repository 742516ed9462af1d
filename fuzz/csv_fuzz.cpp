// Fuzz target: CSV tables (learning::read_csv) under every reading option: the first byte of an
// input chooses header, delimiter and label column, the rest is the file. A table that reads
// must write and read back to the same table, bit for bit.
#include "delimited_text.hpp"

#include <plnet/learning/data.hpp>

namespace {

plnet::learning::CsvOptions options_from(std::uint8_t byte) {
  plnet::learning::CsvOptions o;
  o.header = (byte & 1) == 0;
  static constexpr char kDelimiters[] = {',', ';', '\t', ' '};
  o.delimiter = kDelimiters[(byte >> 1) & 3];
  switch ((byte >> 3) & 3) {
    case 1:
      o.label_index = (byte >> 5) & 3;
      break;
    case 2:
      if (o.header) o.label_column = "species";
      break;
    default:
      break;
  }
  return o;
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned seed) {
  if (size < 2) return plnet::fuzz::mutate_bytes(data, size, max_size);
  if (seed % 7 == 0) {  // another reading option
    data[0] = static_cast<std::uint8_t>(seed >> 8);
    return size;
  }
  const char delimiter = options_from(data[0]).delimiter;
  return 1 + plnet::fuzz::mutate_table(data + 1, size - 1, max_size - 1, seed, delimiter);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const plnet::learning::CsvOptions options = options_from(data[0]);
  const std::string path = plnet::fuzz::write_scratch(
      "table.csv", std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  plnet::fuzz::expect_clean([&] {
    const plnet::learning::Table table = plnet::learning::read_csv(path, options);
    if (!options.header || table.values.cols() == 0) return;  // write_csv always writes a header
    const std::string copy = plnet::fuzz::scratch_dir() + "/copy.csv";
    plnet::learning::write_csv(copy, table, options.delimiter);
    plnet::learning::CsvOptions back_options;
    back_options.delimiter = options.delimiter;
    back_options.label_column = table.label_name;
    const plnet::learning::Table back = plnet::learning::read_csv(copy, back_options);
    if (back.values != table.values || back.columns != table.columns || back.labels != table.labels)
      plnet::fuzz::finding("CSV table does not read back to itself", path);
  });
  return 0;
}
