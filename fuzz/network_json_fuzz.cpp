// Fuzz target: network JSON (io::read_network_json). Mutations edit the parsed JSON tree
// (replace a value by an extreme number, a string, null or an array; drop or duplicate a member
// or element), so most inputs get past the JSON syntax into plnet's own checks. A network that
// reads must write and read back to the same network, bit for bit.
#include "fuzz_support.hpp"

#include <plnet/io/network_io.hpp>

#include <nlohmann/json.hpp>

#include <vector>

namespace {

using nlohmann::json;
using plnet::fuzz::Choices;

void collect(json& node, std::vector<json*>& out) {
  out.push_back(&node);
  if (node.is_structured())
    for (auto& child : node) collect(child, out);
}

void mutate_value(json& node, Choices& c) {
  switch (c.below(9)) {
    case 0:
      node = c.extreme_double();
      break;
    case 1:
      node = c.extreme_integer();
      break;
    case 2:
      node = c.odd_string();
      break;
    case 3:
      node = nullptr;
      break;
    case 4:
      node = json::array();
      break;
    case 5:
      node = json::array({node, node});
      break;
    case 6:  // drop a member or an element
      if (node.is_object() && !node.empty()) {
        auto it = node.begin();
        std::advance(it, static_cast<long>(c.below(node.size())));
        node.erase(it.key());
      } else if (node.is_array() && !node.empty()) {
        node.erase(node.begin() + static_cast<long>(c.below(node.size())));
      }
      break;
    case 7:  // duplicate an element (one more edge, one more coordinate)
      if (node.is_array() && !node.empty()) node.push_back(node[c.below(node.size())]);
      break;
    default:  // an integer one off (indices at the boundary)
      if (node.is_number_integer()) node = node.get<std::int64_t>() + (c.one_in(2) ? 1 : -1);
      break;
  }
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned seed) {
  Choices c(seed);
  json doc = json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded() || c.one_in(5)) return plnet::fuzz::mutate_bytes(data, size, max_size);
  const int edits = 1 + static_cast<int>(c.below(3));
  for (int k = 0; k < edits; ++k) {
    std::vector<json*> nodes;
    collect(doc, nodes);
    mutate_value(*nodes[c.below(nodes.size())], c);
  }
  // Invalid UTF-8 from odd_string() is replaced, not thrown, when the tree is written.
  return plnet::fuzz::emit(doc.dump(-1, ' ', false, json::error_handler_t::replace), data, size,
                           max_size);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = plnet::fuzz::write_scratch(
      "net.json", std::string(reinterpret_cast<const char*>(data), size));
  plnet::fuzz::expect_clean([&] {
    const plnet::graph::Network net = plnet::io::read_network_json(path);
    const std::string copy = plnet::fuzz::scratch_dir() + "/copy.json";
    plnet::io::write_network_json(net, copy);
    const plnet::graph::Network back = plnet::io::read_network_json(copy);
    const bool same = back.num_nodes() == net.num_nodes() && back.edges() == net.edges() &&
                      back.conductances() == net.conductances() &&
                      back.positions().rows() == net.positions().rows() &&
                      back.positions().cols() == net.positions().cols() &&
                      back.positions() == net.positions() &&
                      back.is_periodic() == net.is_periodic();
    if (!same) plnet::fuzz::finding("network JSON does not read back to itself", path);
  });
  return 0;
}
