#pragma once
// Test helper, not part of the library: runs ngspice in batch mode on a netlist made by
// io::spice_netlist(net, bc, title, kNgspiceOutput) and reads back the node voltages.
#include <plnet/core/types.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace plnet::testing {

/// The output file name to pass to io::spice_netlist; relative, so that ngspice writes it into
/// the temporary directory run_ngspice runs it in.
inline constexpr const char* kNgspiceOutput = "plnet_voltages.txt";

inline bool ngspice_available() {
  return std::system("command -v ngspice > /dev/null 2>&1") == 0;
}

namespace detail {

inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A fresh directory under the system temporary directory (removed on destruction).
struct TemporaryDirectory {
  std::filesystem::path path;
  TemporaryDirectory() {
    std::string name = (std::filesystem::temp_directory_path() / "plnet_ngspice_XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr)
      throw std::runtime_error("run_ngspice: cannot create a temporary directory");
    path = name;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
};

}  // namespace detail

/// Writes `netlist` to a temporary directory, runs `ngspice -b` there and returns the voltage
/// of SPICE node n<i> for i in [0, num_nodes). Throws std::runtime_error (with ngspice's log)
/// if ngspice fails or a node voltage is missing.
inline std::vector<double> run_ngspice(const std::string& netlist, Index num_nodes) {
  const detail::TemporaryDirectory dir;
  {
    std::ofstream out(dir.path / "circuit.cir");
    out << netlist;
  }
  const std::string command =
      "cd '" + dir.path.string() + "' && ngspice -b circuit.cir > ngspice.log 2>&1";
  const int status = std::system(command.c_str());
  const std::string log = detail::read_all(dir.path / "ngspice.log");
  if (status != 0)
    throw std::runtime_error("run_ngspice: ngspice failed (status " + std::to_string(status) +
                             "):\n" + log);
  std::vector<double> v(static_cast<std::size_t>(num_nodes),
                        std::numeric_limits<double>::quiet_NaN());
  // Lines "n12 = 1.23456789012345678e+00"; internal nodes (e<i>) and branch currents are
  // skipped.
  static const std::regex kLine(R"(^\s*n(\d+)\s*=\s*(\S+)\s*$)");
  std::istringstream in(detail::read_all(dir.path / kNgspiceOutput));
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) continue;
    const auto node = std::stoll(m[1].str());
    if (node < num_nodes) v[static_cast<std::size_t>(node)] = std::stod(m[2].str());
  }
  for (Index n = 0; n < num_nodes; ++n)
    if (std::isnan(v[static_cast<std::size_t>(n)]))
      throw std::runtime_error("run_ngspice: no voltage for node n" + std::to_string(n) + " in " +
                               kNgspiceOutput +
                               " (netlist made with output_path = kNgspiceOutput?); log:\n" + log);
  return v;
}

}  // namespace plnet::testing
