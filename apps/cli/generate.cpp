// plnet generate <kind>: seeded network generators, written as network JSON or edge list.
#include "common.hpp"

#include <plnet/core/error.hpp>
#include <plnet/core/field_names.hpp>
#include <plnet/core/random.hpp>
#include <plnet/graph/generators.hpp>
#include <plnet/io/network_io.hpp>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>

namespace plnet::cli {
namespace {

struct GenerateCommon {
  std::string output;
  std::string conductances = "ones";
  std::uint64_t seed = 1;
};

// "ones", "uniform:A:B" or "loguniform:A:B"; drawn from a stream seeded by seed (shifted so
// that it differs from the generator's own stream).
Vector draw_conductances(const std::string& spec, Index count, std::uint64_t seed) {
  if (spec == "ones") return Vector::Ones(count);
  const auto first = spec.find(':');
  const auto second = spec.find(':', first == std::string::npos ? first : first + 1);
  const std::string kind = spec.substr(0, first);
  require(first != std::string::npos && second != std::string::npos &&
              (kind == "uniform" || kind == "loguniform"),
          "--conductances", "'", spec, "': need ones, uniform:MIN:MAX or loguniform:MIN:MAX");
  auto number = [&](const std::string& text) {
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    require(ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(v) && v > 0.0,
            "--conductances", "'", spec, "': '", text, "' is not a finite number > 0");
    return v;
  };
  const double lo = number(spec.substr(first + 1, second - first - 1));
  const double hi = number(spec.substr(second + 1));
  require(lo <= hi, "--conductances", "'", spec, "': MIN must not exceed MAX");
  std::mt19937_64 rng(seed ^ 0x9E3779B97F4A7C15ULL);
  Vector k(count);
  for (Index i = 0; i < count; ++i) {
    const double u = random::uniform(rng);
    k[i] = kind == "uniform" ? lo + (hi - lo) * u : lo * std::pow(hi / lo, u);
  }
  return k;
}

// `generated`: the nodes the generator made; `dropped_what` names the nodes it may drop.
void finish(const graph::Network& net, const GenerateCommon& common, Index generated = 0,
            const std::string& dropped_what = {}) {
  const auto with_k =
      net.with_conductances(draw_conductances(common.conductances, net.num_edges(), common.seed));
  io::write_network(with_k, common.output);
  std::cerr << "plnet: wrote " << common.output << " (" << with_k.num_nodes() << " nodes, "
            << with_k.num_edges() << " edges)\n";
  // Node indices no longer match the generator's: say so, and where the map is.
  if (!with_k.source_nodes().empty()) {
    const bool json = std::filesystem::path(common.output).extension() == ".json";
    std::cerr << "plnet: note: " << generated - with_k.num_nodes() << " of " << generated
              << " nodes dropped (" << dropped_what << "); the kept nodes are renumbered 0.."
              << with_k.num_nodes() - 1 << " in their old order"
              << (json
                      ? "; \"source_nodes\" in " + common.output + " gives each node's index before"
                      : " (an edge list cannot record the map: write .json to keep it)")
              << "\n";
  }
}

CLI::App* add_kind(CLI::App& generate, const std::string& name, const std::string& help,
                   const std::shared_ptr<GenerateCommon>& common) {
  auto* sub = generate.add_subcommand(name, help);
  sub->add_option("-o,--output", common->output, "Output file (.json or .txt edge list)")
      ->required();
  sub->add_option("--conductances", common->conductances,
                  "ones | uniform:MIN:MAX | loguniform:MIN:MAX")
      ->capture_default_str();
  sub->add_option("--seed", common->seed, "Random seed (same seed, same network)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  return sub;
}

}  // namespace

void register_generate(CLI::App& app) {
  auto* generate = app.add_subcommand("generate", "Generate a network");
  generate->require_subcommand(1);
  auto common = std::make_shared<GenerateCommon>();

  auto jammed = std::make_shared<graph::JammedOptions>();
  auto* j =
      add_kind(*generate, "jammed", "Jammed packing of bidisperse soft disks/spheres", common);
  j->add_option("--nodes", jammed->num_particles, "Particles before rattler removal")
      ->capture_default_str();
  j->add_option("--dimension", jammed->dimension, "2 or 3")->capture_default_str();
  j->add_option("--phi", jammed->packing_fraction, "Packing fraction")->capture_default_str();
  j->callback([=] {
    check_output(common->output, {});
    jammed->seed = common->seed;
    validate_with_names([&] { jammed->validate(); }, {{"num_particles", "--nodes"},
                                                      {"dimension", "--dimension"},
                                                      {"packing_fraction", "--phi"}});
    finish(graph::jammed_packing(*jammed), *common, jammed->num_particles,
           "rattlers and particles outside the largest connected component");
  });

  auto er = std::make_shared<graph::ErdosRenyiOptions>();
  auto* e = add_kind(*generate, "erdos-renyi", "Erdos-Renyi graph (largest component)", common);
  e->add_option("--nodes", er->num_nodes)->capture_default_str();
  e->add_option("--degree", er->mean_degree, "Mean degree Z")->capture_default_str();
  e->callback([=] {
    check_output(common->output, {});
    er->seed = common->seed;
    validate_with_names([&] { er->validate(); },
                        {{"num_nodes", "--nodes"}, {"mean_degree", "--degree"}});
    finish(graph::erdos_renyi(*er), *common, er->num_nodes,
           "outside the largest connected component");
  });

  for (const auto& [name, kind] :
       {std::pair{"square", graph::LatticeOptions::Kind::kSquare},
        std::pair{"triangular", graph::LatticeOptions::Kind::kTriangular}}) {
    auto lat = std::make_shared<graph::LatticeOptions>();
    lat->kind = kind;
    auto* l = add_kind(*generate, name, std::string(name) + " lattice", common);
    l->add_option("--rows", lat->rows)->capture_default_str();
    l->add_option("--cols", lat->cols)->capture_default_str();
    l->callback([=] {
      check_output(common->output, {});
      validate_with_names([&] { lat->validate(); }, {{"rows", "--rows"}, {"cols", "--cols"}});
      finish(graph::lattice(*lat), *common);
    });
  }

  auto complete_nodes = std::make_shared<Index>(10);
  auto* c = add_kind(*generate, "complete", "Fully connected network", common);
  c->add_option("--nodes", *complete_nodes)->capture_default_str()->check(CLI::PositiveNumber);
  c->callback([=] {
    check_output(common->output, {});
    graph::Network net;
    validate_with_names([&] { net = graph::fully_connected(*complete_nodes); },
                        {{"fully_connected: num_nodes", "--nodes"}});
    finish(net, *common);
  });

  auto planar = std::make_shared<graph::PlanarOptions>();
  auto* p =
      add_kind(*generate, "planar", "Random planar network (Delaunay, edges removed)", common);
  p->add_option("--nodes", planar->num_nodes)->capture_default_str();
  p->add_option("--remove-fraction", planar->remove_fraction)->capture_default_str();
  p->callback([=] {
    check_output(common->output, {});
    planar->seed = common->seed;
    validate_with_names([&] { planar->validate(); },
                        {{"num_nodes", "--nodes"}, {"remove_fraction", "--remove-fraction"}});
    finish(graph::random_planar(*planar), *common, planar->num_nodes,
           "outside the largest connected component");
  });

  auto wires = std::make_shared<graph::NanowireOptions>();
  auto* w = add_kind(*generate, "nanowires", "Random nanowire deposition (004 App. K)", common);
  w->add_option("--wires", wires->num_wires)->capture_default_str();
  w->add_option("--stick-length", wires->stick_length)->capture_default_str();
  w->callback([=] {
    check_output(common->output, {});
    wires->seed = common->seed;
    validate_with_names([&] { wires->validate(); },
                        {{"num_wires", "--wires"}, {"stick_length", "--stick-length"}});
    finish(graph::random_nanowires(*wires), *common, wires->num_wires,
           "wires outside the largest connected component");
  });
}

}  // namespace plnet::cli
