// Fuzz target: edge lists (io::read_edge_list), mutated line by line and cell by cell. A network
// that reads must write and read back to the same network, bit for bit.
#include "delimited_text.hpp"

#include <plnet/io/network_io.hpp>

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned seed) {
  return plnet::fuzz::mutate_table(data, size, max_size, seed, ' ');
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path =
      plnet::fuzz::write_scratch("net.txt", std::string(reinterpret_cast<const char*>(data), size));
  plnet::fuzz::expect_clean([&] {
    const plnet::graph::Network net = plnet::io::read_edge_list(path);
    const std::string copy = plnet::fuzz::scratch_dir() + "/copy.txt";
    plnet::io::write_edge_list(net, copy);
    const plnet::graph::Network back = plnet::io::read_edge_list(copy);
    if (back.num_nodes() != net.num_nodes() || back.edges() != net.edges() ||
        back.conductances() != net.conductances())
      plnet::fuzz::finding("edge list does not read back to itself", path);
  });
  return 0;
}
