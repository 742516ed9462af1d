#include <plnet/core/error.hpp>
#include <plnet/io/spice.hpp>
#include <plnet/physics/model.hpp>

#include <array>
#include <cstdio>
#include <map>
#include <sstream>

namespace plnet::io {

namespace {

std::string g17(double x) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.17g", x);
  return buffer.data();
}

std::string node(Index n) {
  return concat("n", n);
}

/// x_a - x_b = value for a constraint c x_a - c x_b = c value (c != 0); throws otherwise.
struct NodePair {
  Index a = 0;
  Index b = 0;
  double difference = 0.0;
};

NodePair node_pair(const physics::LinearConstraint& c, std::size_t k) {
  const bool pair = c.dofs.size() == 2 && c.coefficients.size() == 2 && c.coefficients[0] != 0.0 &&
                    c.coefficients[1] == -c.coefficients[0] && c.dofs[0] != c.dofs[1];
  require(pair, "spice export",
          "only node-pair difference constraints can be exported (constraints[", k,
          "]: need 2 distinct nodes with coefficients (c, -c), got ", c.dofs.size(), " dofs)");
  return {c.dofs[0], c.dofs[1], c.value / c.coefficients[0]};
}

std::string single_line(const std::string& text) {
  std::string line = text.empty() ? std::string("plnet network") : text;
  for (char& ch : line)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return line;
}

void write_control_block(std::ostream& out, const std::string& output_path) {
  require(output_path.find_first_of("\"\n\r") == std::string::npos, "spice export",
          "output path must not contain a double quote or a line break (got \"", output_path,
          "\")");
  // Batch mode runs .control first; "quit" stops it from then running .op a second time.
  out << ".control\n"
      << "set numdgt=17\n"
      << "op\n"
      << "print all > \"" << output_path << "\"\n"
      << "quit\n"
      << ".endc\n";
}

}  // namespace

std::string spice_netlist(const graph::Network& net, const physics::BoundaryConditions& bc,
                          const std::string& title, const std::string& output_path) {
  physics::validate(physics::resistor_model(net), bc);
  std::map<Index, double> source_on_edge;  // summed, so each split edge has one source
  for (const auto& s : bc.edge_sources) source_on_edge[s.edge] += s.value;

  std::ostringstream out;
  out << single_line(title) << '\n'
      << "* plnet resistor network: " << net.num_nodes() << " nodes, " << net.num_edges()
      << " edges. plnet node n is SPICE node n<n>; held values are relative to ground 0.\n"
      << "* Edge sources (paper 004): R<i> n<a> e<i> and Vs<i> e<i> n<b>, so the resistor "
         "drop is x_a - x_b - s.\n";
  for (Index i = 0; i < net.num_edges(); ++i) {
    const auto [a, b] = net.edge(i);
    const auto source = source_on_edge.find(i);
    const std::string end = source == source_on_edge.end() ? node(b) : concat("e", i);
    out << "R" << i << ' ' << node(a) << ' ' << end << ' ' << g17(1.0 / net.conductances()[i])
        << '\n';
    if (source != source_on_edge.end())
      out << "Vs" << i << ' ' << end << ' ' << node(b) << " DC " << g17(source->second) << '\n';
  }
  for (std::size_t j = 0; j < bc.holds.size(); ++j)
    out << "Vh" << j << ' ' << node(bc.holds[j].dof) << " 0 DC " << g17(bc.holds[j].value) << '\n';
  for (std::size_t j = 0; j < bc.injections.size(); ++j)
    out << "Ii" << j << " 0 " << node(bc.injections[j].dof) << " DC "
        << g17(bc.injections[j].amount) << '\n';
  for (std::size_t j = 0; j < bc.constraints.size(); ++j) {
    const NodePair p = node_pair(bc.constraints[j], j);
    out << "Vc" << j << ' ' << node(p.a) << ' ' << node(p.b) << " DC " << g17(p.difference) << '\n';
  }
  out << ".op\n";
  if (!output_path.empty()) write_control_block(out, output_path);
  out << ".end\n";
  return out.str();
}

}  // namespace plnet::io
