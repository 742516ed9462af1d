// Experiment files: TOML -> typed options. toml++ stays in this file.
#include <plnet/core/error.hpp>
#include <plnet/core/field_names.hpp>
#include <plnet/core/memory.hpp>
#include <plnet/core/one_line.hpp>
#include <plnet/core/random.hpp>
#include <plnet/graph/generators.hpp>
#include <plnet/io/atomic_file.hpp>
#include <plnet/io/network_io.hpp>
#include <plnet/learning/data.hpp>
#include <plnet/learning/experiment.hpp>
#include <plnet/learning/experiment_schema.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace plnet::learning {
namespace {

// Where experiment_schema collects the keys looked up (null: not recorded). Set for the
// duration of one parse; Section reads it, so no call site passes it along.
thread_local std::map<std::string, SchemaKey>* t_schema = nullptr;
// The lines of the keys the [set] overrides put into the experiment (null outside a parse):
// a message about one names the override as typed ("--set protocol.steps") instead of a line
// past the end of the user's file.
thread_local const std::set<std::int64_t>* t_override_lines = nullptr;

// "a string", "an integer", ... for the type of `node`.
std::string type_name(const toml::node& node) {
  if (node.is_string()) return "a string";
  if (node.is_integer()) return "an integer";
  if (node.is_floating_point()) return "a float";
  if (node.is_boolean()) return "a boolean";
  if (node.is_array()) return "an array";
  if (node.is_table()) return "a table";
  return "a date or time";
}

bool accepts(unsigned types, const toml::node& node) {
  return ((types & kTomlString) != 0 && node.is_string()) ||
         ((types & kTomlInteger) != 0 && node.is_integer()) ||
         ((types & kTomlFloat) != 0 && node.is_floating_point()) ||
         ((types & kTomlBoolean) != 0 && node.is_boolean()) ||
         ((types & kTomlArray) != 0 && node.is_array()) ||
         ((types & kTomlTable) != 0 && node.is_table());
}

// The value as one short line (a table or a long array would otherwise span lines).
std::string one_line(const toml::node& node) {
  std::ostringstream out;
  node.visit([&](const auto& n) { out << n; });
  std::string text = out.str();
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  constexpr std::size_t kMax = 40;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

// A TOML table with its dotted name; reads typed values, remembers which keys were used and
// throws one line "<file>: line L: <section>.<key>: <what>" on any problem. Every read goes
// through typed(), which checks the TOML type of the value before anything looks inside it:
// a value of the wrong type is "must be <expected> (got <type> <value>)", for every key.
class Section {
 public:
  Section(const toml::table* table, std::string name, std::string origin, std::int64_t line)
      : table_(table), name_(std::move(name)), origin_(std::move(origin)), line_(line) {}

  bool present() const { return table_ != nullptr; }
  bool has(const std::string& key) const { return table_ != nullptr && table_->contains(key); }

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    std::int64_t line = line_;
    if (table_ != nullptr) {
      if (const auto* node = table_->get(key)) line = node->source().begin.line;
    }
    if (t_override_lines != nullptr && t_override_lines->contains(line))
      throw std::invalid_argument(concat(origin_, ": --set ", qualified(key), ": ", what));
    throw std::invalid_argument(concat(origin_, ": line ", line, ": ", qualified(key), ": ", what));
  }

  /// The value of `key` (null if absent), after checking that its TOML type is one of `types`
  /// (TomlType bits); `expected` names them in the message ("an integer"). `lenient` types
  /// pass this check too but are not advertised: the caller converts or rejects them (an
  /// integer key takes 1e4, not 2.5). The schema keeps a key's first description.
  const toml::node* typed(const std::string& key, unsigned types, const std::string& expected,
                          unsigned lenient = 0) {
    used_.insert(key);
    if (t_schema != nullptr) t_schema->emplace(qualified(key), SchemaKey{types, expected});
    const toml::node* node = table_ == nullptr ? nullptr : table_->get(key);
    if (node != nullptr && !accepts(types | lenient, *node)) wrong_type(key, expected, *node);
    return node;
  }
  [[noreturn]] void wrong_type(const std::string& key, const std::string& expected,
                               const toml::node& got) const {
    fail(key, concat("must be ", expected, " (got ", type_name(got), " ", one_line(got), ")"));
  }
  [[noreturn]] void wrong_entry(const std::string& key, const std::string& expected,
                                std::size_t index, const toml::node& got) const {
    fail(key, concat("must be ", expected, " (entry ", index, " is ", type_name(got), " ",
                     one_line(got), ")"));
  }

  double number(const std::string& key, double fallback) {
    const auto* node = typed(key, kTomlInteger | kTomlFloat, "a finite number");
    return node == nullptr ? fallback : finite(key, *node, "a finite number");
  }
  double required_number(const std::string& key) {
    const auto* node = typed(key, kTomlInteger | kTomlFloat, "a finite number");
    if (node == nullptr) fail(key, "required");
    return finite(key, *node, "a finite number");
  }
  Index integer(const std::string& key, Index fallback) {
    const auto* node = typed(key, kTomlInteger, "an integer", kTomlFloat);
    return node == nullptr ? fallback : whole(key, *node, "an integer");
  }
  std::string text(const std::string& key, const std::string& fallback) {
    const auto* node = typed(key, kTomlString, "a string");
    return node == nullptr ? fallback : *node->value<std::string>();
  }
  std::vector<double> numbers(const std::string& key) {
    std::vector<double> out;
    const std::string expected = "an array of finite numbers";
    const auto* node = typed(key, kTomlArray, expected);
    if (node != nullptr)
      for (std::size_t k = 0; k < node->as_array()->size(); ++k)
        out.push_back(finite(key, (*node->as_array())[k], expected, k));
    return out;
  }
  std::vector<Index> integers(const std::string& key) {
    std::vector<Index> out;
    const std::string expected = "an array of integers";
    const auto* node = typed(key, kTomlArray, expected);
    if (node != nullptr)
      for (std::size_t k = 0; k < node->as_array()->size(); ++k)
        out.push_back(whole(key, (*node->as_array())[k], expected, k));
    return out;
  }
  std::vector<std::string> strings(const std::string& key) {
    std::vector<std::string> out;
    const std::string expected = "an array of strings";
    const auto* node = typed(key, kTomlArray, expected);
    if (node != nullptr)
      for (std::size_t k = 0; k < node->as_array()->size(); ++k) {
        const toml::node& item = (*node->as_array())[k];
        if (!item.is_string()) wrong_entry(key, expected, k, item);
        out.push_back(*item.value<std::string>());
      }
    return out;
  }
  /// The entries of an array of tables under `key` as sections "<key>[k]" (none if absent).
  std::vector<Section> tables(const std::string& key, const std::string& example) {
    std::vector<Section> out;
    const auto* node = typed(key, kTomlArray, concat("an array of tables such as ", example));
    if (node == nullptr) return out;
    const auto& array = *node->as_array();
    for (std::size_t k = 0; k < array.size(); ++k) {
      const std::string item = concat(key, "[", k, "]");
      if (t_schema != nullptr)
        t_schema->emplace(qualified(item),
                          SchemaKey{kTomlTable, concat("a table such as ", example)});
      const auto* t = array[k].as_table();
      if (t == nullptr)
        throw std::invalid_argument(concat(origin_, ": line ", array[k].source().begin.line, ": ",
                                           qualified(item), ": must be a table such as ", example,
                                           " (got ", type_name(array[k]), " ", one_line(array[k]),
                                           ")"));
      out.push_back(sub(t, item));
    }
    return out;
  }
  Section sub(const toml::table* t, const std::string& name) const {
    return {t, qualified(name), origin_, t != nullptr ? t->source().begin.line : line_};
  }
  /// Every key of the table must have been read.
  void finish() const {
    if (table_ == nullptr) return;
    for (const auto& [key, value] : *table_)
      if (!used_.contains(std::string(key.str()))) fail(std::string(key.str()), "unknown key");
  }
  std::string qualified(const std::string& key) const {
    return name_.empty() ? key : name_ + "." + key;
  }
  std::int64_t line() const { return line_; }
  const std::string& origin() const { return origin_; }

 private:
  // Entry `index` of an array (kNoIndex: the value itself) as a finite number / an integer.
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
  [[noreturn]] void reject(const std::string& key, const std::string& expected, std::size_t index,
                           const toml::node& got) const {
    if (index == kNoIndex) wrong_type(key, expected, got);
    wrong_entry(key, expected, index, got);
  }
  double finite(const std::string& key, const toml::node& node, const std::string& expected,
                std::size_t index = kNoIndex) const {
    const auto v = node.is_number() ? node.value<double>() : std::nullopt;
    if (!v || !std::isfinite(*v)) reject(key, expected, index, node);
    return *v;
  }
  // An integer, or a float with an integral value in range (`steps = 1e4`).
  Index whole(const std::string& key, const toml::node& node, const std::string& expected,
              std::size_t index = kNoIndex) const {
    if (const auto* i = node.as_integer()) return i->get();
    const auto* f = node.as_floating_point();
    // 2^63 is exactly representable; every double below it converts without overflow.
    if (f == nullptr || !(std::trunc(f->get()) == f->get() && std::abs(f->get()) < 0x1p63))
      reject(key, expected, index, node);
    return static_cast<Index>(f->get());
  }
  const toml::table* table_;
  std::string name_, origin_;
  std::int64_t line_;
  std::set<std::string> used_;
};

// The top-level table `name` (absent: a Section without table); any other type is an error.
Section section(const toml::table& root, const std::string& name, const std::string& origin) {
  if (t_schema != nullptr) t_schema->emplace(name, SchemaKey{kTomlTable, "a table"});
  const auto* node = root.get(name);
  if (node != nullptr && !node->is_table())
    throw std::invalid_argument(concat(origin, ": line ", node->source().begin.line, ": ", name,
                                       ": must be a table (got ", type_name(*node), " ",
                                       one_line(*node), ")"));
  const auto* t = root.get_as<toml::table>(name);
  return {t, name, origin, t != nullptr ? t->source().begin.line : 1};
}

std::string resolve(const std::string& base_dir, const std::string& file) {
  const std::filesystem::path p(file);
  return p.is_absolute() ? file : (std::filesystem::path(base_dir) / p).string();
}

// ---- network ----------------------------------------------------------------------------

graph::Network read_network_section(Section& s, const std::string& base_dir,
                                    std::string& model_name, std::vector<std::string>& files) {
  model_name = s.text("model", "resistor");
  if (model_name != "resistor" && model_name != "flow" && model_name != "spring" &&
      model_name != "node")
    s.fail("model",
           concat("unknown model (got '", model_name, "', need resistor, flow, spring or node)"));
  if (s.has("file")) {
    const std::string file = resolve(base_dir, s.text("file", ""));
    s.finish();
    files.push_back(file);
    return io::read_network(file);
  }
  const std::string kind = s.text("generator", model_name == "node" ? "complete" : "");
  const auto seed = static_cast<std::uint64_t>(s.integer("seed", 1));
  graph::Network net;
  try {
    if (kind == "jammed") {
      graph::JammedOptions o;
      o.num_particles = s.integer("nodes", o.num_particles);
      o.dimension = static_cast<int>(s.integer("dimension", o.dimension));
      o.packing_fraction = s.number("phi", o.packing_fraction);
      o.seed = seed;
      validate_with_names([&] { o.validate(); },
                          {{"num_particles", "nodes"}, {"packing_fraction", "phi"}});
      net = graph::jammed_packing(o);
    } else if (kind == "erdos-renyi") {
      graph::ErdosRenyiOptions o;
      o.num_nodes = s.integer("nodes", o.num_nodes);
      o.mean_degree = s.number("degree", o.mean_degree);
      o.seed = seed;
      validate_with_names([&] { o.validate(); },
                          {{"num_nodes", "nodes"}, {"mean_degree", "degree"}});
      net = graph::erdos_renyi(o);
    } else if (kind == "square" || kind == "triangular") {
      graph::LatticeOptions o;
      o.kind = kind == "square" ? graph::LatticeOptions::Kind::kSquare
                                : graph::LatticeOptions::Kind::kTriangular;
      o.rows = s.integer("rows", o.rows);
      o.cols = s.integer("cols", o.cols);
      validate_with_names([&] { o.validate(); }, {});
      net = graph::lattice(o);
    } else if (kind == "complete") {
      const Index nodes = s.integer("nodes", 10);
      validate_with_names([&] { net = graph::fully_connected(nodes); },
                          {{"fully_connected: num_nodes", "nodes"}});
    } else if (kind == "planar") {
      graph::PlanarOptions o;
      o.num_nodes = s.integer("nodes", o.num_nodes);
      o.remove_fraction = s.number("remove_fraction", o.remove_fraction);
      o.seed = seed;
      validate_with_names([&] { o.validate(); }, {{"num_nodes", "nodes"}});
      net = graph::random_planar(o);
    } else if (kind == "nanowires") {
      graph::NanowireOptions o;
      o.num_wires = s.integer("wires", o.num_wires);
      o.stick_length = s.number("stick_length", o.stick_length);
      o.seed = seed;
      validate_with_names([&] { o.validate(); }, {{"num_wires", "wires"}});
      net = graph::random_nanowires(o);
    } else {
      s.fail("generator", concat("unknown generator (got '", kind,
                                 "', need jammed, erdos-renyi, square, triangular, complete, "
                                 "planar or nanowires), or give file"));
    }
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).rfind(s.origin(), 0) == 0) throw;
    throw std::invalid_argument(concat(s.origin(), ": line ", s.line(), ": network: ", e.what()));
  }
  s.finish();
  return net;
}

// ---- initial parameters -----------------------------------------------------------------

Vector initial_parameters(Section& s, const physics::LinearModel& model, const graph::Network& net,
                          const std::string& base_dir, std::vector<std::string>& files) {
  const std::string init =
      s.text("init", model.kind() == physics::ModelKind::kNode ? "random_symmetric" : "network");
  const auto seed = static_cast<std::uint64_t>(s.integer("seed", 1));
  std::mt19937_64 rng(seed);
  const Index m = model.num_parameters();
  Vector w(m);
  if (init == "network") {
    if (model.kind() == physics::ModelKind::kNode)
      s.fail("init",
             "a node network has no edge conductances; use random_symmetric, constant or file");
    w = net.conductances();
  } else if (init == "uniform" || init == "loguniform") {
    const double lo = s.required_number("low"), hi = s.required_number("high");
    if (!(lo > 0 && hi >= lo))
      s.fail(lo > 0 ? "high" : "low", concat("need 0 < low <= high (got ", lo, ", ", hi, ")"));
    for (Index i = 0; i < m; ++i) {
      const double u = sampling::uniform(rng);
      w[i] = init == "uniform" ? lo + (hi - lo) * u : lo * std::pow(hi / lo, u);
    }
  } else if (init == "constant") {
    const double v = s.required_number("value");
    if (!(v > 0) && model.kind() != physics::ModelKind::kNode)
      s.fail("value", concat("must be > 0 (got ", v, ")"));
    w.setConstant(v);
  } else if (init == "file") {
    const std::string file = resolve(base_dir, s.text("file", ""));
    files.push_back(file);
    CsvOptions no_header;
    no_header.header = false;
    const Table t = read_csv(file, no_header);
    if (t.values.size() != m)
      s.fail("file", concat("'", file, "' holds ", t.values.size(), " numbers (need ", m, ")"));
    w = Eigen::Map<const Vector>(t.values.data(), m);
    // Conductances and stiffnesses are positive; a node network's couplings are signed.
    for (Index i = 0; i < m && model.kind() != physics::ModelKind::kNode; ++i)
      if (!(w[i] > 0))
        s.fail("file", concat("'", file, "': parameter ", i, " must be > 0 (got ", w[i], ")"));
  } else if (init == "random_symmetric") {
    // 003 Sec. III A: W = sym(N(0,1)) + shift I with shift 3 sqrt(2N) by default.
    if (model.kind() != physics::ModelKind::kNode)
      s.fail("init", "random_symmetric is for node networks");
    const Index n = model.num_nodes();
    const double shift = s.number("diagonal_shift", 3.0 * std::sqrt(2.0 * static_cast<double>(n)));
    Matrix a(n, n);
    for (Index r = 0; r < n; ++r)
      for (Index c = 0; c < n; ++c) a(r, c) = sampling::normal(rng);
    w = physics::node_parameters(0.5 * (a + a.transpose()) + shift * Matrix::Identity(n, n));
  } else {
    s.fail("init",
           concat("unknown initialisation (got '", init,
                  "', need network, uniform, loguniform, constant, file or random_symmetric)"));
  }
  s.finish();
  return w;
}

// ---- task -------------------------------------------------------------------------------

Index node_index(Section& s, const std::string& key, Index value, Index num_nodes) {
  if (value < 0 || value >= num_nodes)
    s.fail(key, concat("node out of range (got ", value, ", need 0 <= node < ", num_nodes, ")"));
  return value;
}

Index edge_index(Section& s, const std::string& key, Index value, Index num_edges) {
  if (value < 0 || value >= num_edges)
    s.fail(key, concat("edge out of range (got ", value, ", need 0 <= edge < ", num_edges, ")"));
  return value;
}

InputChannel read_input(Section& item, const physics::LinearModel& model) {
  const std::string kind = item.text("kind", "hold");
  const int d = model.dofs_per_node();
  InputChannel in;
  if (kind == "hold") {
    const Index node = node_index(item, "node", item.integer("node", -1), model.num_nodes());
    if (d != 1)
      item.fail("kind", "hold inputs are for resistor and node networks; springs take force");
    in = hold_input(node);
  } else if (kind == "current" || kind == "force") {
    const Index node = node_index(item, "node", item.integer("node", -1), model.num_nodes());
    std::vector<double> direction =
        item.has("direction") ? item.numbers("direction") : std::vector<double>{1.0};
    if (static_cast<int>(direction.size()) != d)
      item.fail("direction", concat("needs ", d, " components (got ", direction.size(), ")"));
    std::vector<Index> dofs;
    for (int c = 0; c < d; ++c) dofs.push_back(node * d + c);
    in = injection_input(dofs, direction);
  } else if (kind == "edge_source") {
    in = edge_source_input(
        edge_index(item, "edge", item.integer("edge", -1), model.num_parameters()));
  } else {
    item.fail("kind", concat("unknown input kind (got '", kind,
                             "', need hold, current, force or edge_source)"));
  }
  in.name = item.text("name", "");
  item.finish();
  return in;
}

Readout read_output(Section& item, const physics::LinearModel& model) {
  const std::string kind = item.text("kind", item.has("edge") ? "edge" : "node");
  Readout r;
  if (kind == "node") {
    const Index node = node_index(item, "node", item.integer("node", -1), model.num_nodes());
    const Index component = item.integer("component", 0);
    if (component < 0 || component >= model.dofs_per_node())
      item.fail("component", concat("out of range (got ", component, ")"));
    r = node_readout(node * model.dofs_per_node() + component);
  } else if (kind == "edge") {
    r = edge_readout(model,
                     edge_index(item, "edge", item.integer("edge", -1), model.num_parameters()));
  } else if (kind == "difference") {
    const auto nodes = item.integers("nodes");
    if (nodes.size() != 2) item.fail("nodes", "needs two nodes [a, b]");
    r = difference_readout(
        node_index(item, "nodes", nodes[0], model.num_nodes()) * model.dofs_per_node(),
        node_index(item, "nodes", nodes[1], model.num_nodes()) * model.dofs_per_node());
  } else {
    item.fail("kind",
              concat("unknown output kind (got '", kind, "', need node, edge or difference)"));
  }
  r.name = item.text("name", "");
  item.finish();
  return r;
}

template <typename Read>
void read_items(Section& s, const std::string& key, Read read) {
  for (Section& item : s.tables(key, "{node = 1}")) read(item);
}

// Runs f; an invalid_argument it throws becomes a failure of `key` (file, line and field).
template <typename F>
auto guarded(Section& s, const std::string& key, F f) {
  try {
    return f();
  } catch (const std::invalid_argument& ex) {
    s.fail(key, ex.what());
  }
}

Task read_task(Section& s, const physics::LinearModel& model, const graph::Network& network) {
  Task task;
  if (s.has("ground"))
    for (Index node : s.integers("ground"))
      physics::hold_node(model, task.fixed, node_index(s, "ground", node, model.num_nodes()));
  read_items(s, "fixed", [&](Section& item) {
    const Index node = node_index(item, "node", item.integer("node", -1), model.num_nodes());
    physics::hold_node(model, task.fixed, node, item.required_number("value"));
    item.finish();
  });
  read_items(s, "inputs", [&](Section& item) { task.inputs.push_back(read_input(item, model)); });
  read_items(s, "outputs",
             [&](Section& item) { task.outputs.push_back(read_output(item, model)); });
  // 004 App. K: edge-source inputs and edge readouts drawn from the complement of a minimum
  // spanning tree (each on an independent cycle), after any listed inputs and outputs. The
  // edges differ between random networks, so they cannot be listed in a shared config.
  const Index edge_inputs = s.integer("edge_inputs", 0);
  const Index edge_outputs = s.integer("edge_outputs", 0);
  const auto edge_seed = static_cast<std::uint64_t>(s.integer("edge_seed", 1));
  if (edge_inputs < 0) s.fail("edge_inputs", concat("must be >= 0 (got ", edge_inputs, ")"));
  if (edge_outputs < 0) s.fail("edge_outputs", concat("must be >= 0 (got ", edge_outputs, ")"));
  if (edge_inputs + edge_outputs > 0) {
    if (model.dofs_per_node() != 1 || model.num_parameters() != network.num_edges())
      s.fail("edge_inputs", "edge sources and edge readouts need a resistor or flow network");
    const auto choice = guarded(s, "edge_inputs", [&] {
      return graph::choose_io_edges(network, edge_inputs, edge_outputs, edge_seed);
    });
    for (Index e : choice.inputs) task.inputs.push_back(edge_source_input(e));
    for (Index e : choice.outputs) task.outputs.push_back(edge_readout(model, e));
  }
  return task;
}

// ---- data -------------------------------------------------------------------------------

// An array of equally long rows of numbers under `key` (a matrix written out in the file);
// `allow_nan`: entries may be nan (an unconstrained target).
Matrix explicit_matrix(Section& s, const std::string& key, bool allow_nan = false) {
  const std::string expected = "an array of rows of numbers, e.g. [[1, 2], [3, 4]]";
  const auto* node = s.typed(key, kTomlArray, expected);
  if (node == nullptr) s.fail(key, "required");
  const auto* rows = node->as_array();
  if (rows->empty()) s.fail(key, concat("must be ", expected, " (got an empty array)"));
  Matrix m;
  for (std::size_t r = 0; r < rows->size(); ++r) {
    const auto* row = (*rows)[r].as_array();
    if (row == nullptr) s.wrong_entry(key, expected, r, (*rows)[r]);
    if (r == 0) m.resize(static_cast<Index>(rows->size()), static_cast<Index>(row->size()));
    if (static_cast<Index>(row->size()) != m.cols())
      s.fail(key, concat("row ", r, " has ", row->size(), " entries (need ", m.cols(), ")"));
    for (std::size_t c = 0; c < row->size(); ++c) {
      const auto v = (*row)[c].is_number() ? (*row)[c].value<double>() : std::nullopt;
      if (!v || (!std::isfinite(*v) && !(allow_nan && std::isnan(*v))))
        s.fail(key, concat("must be ", expected, " (entry [", r, "][", c, "] is ",
                           type_name((*row)[c]), " ", one_line((*row)[c]),
                           allow_nan ? "; need a finite number or nan)" : ")"));
      m(static_cast<Index>(r), static_cast<Index>(c)) = *v;
    }
  }
  return m;
}

Matrix named_or_explicit_map(Section& s) {
  const auto* node =
      s.typed("map", kTomlString | kTomlArray,
              "a map name (000_eq1, 000_eq22 or 003_eqA2) or an array of rows of numbers");
  if (node == nullptr) s.fail("map", "required");
  if (const auto name = node->value<std::string>()) {
    if (*name == "000_eq1") return map_000_eq1();
    if (*name == "000_eq22") return map_000_eq22();
    if (*name == "003_eqA2") return map_003_eqA2();
    s.fail("map",
           concat("unknown named map (got '", *name, "', need 000_eq1, 000_eq22 or 003_eqA2)"));
  }
  return explicit_matrix(s, "map");
}

Batch to_batch(const Dataset& d) {
  Batch b;
  b.inputs = d.inputs;
  b.targets = d.targets;
  b.labels = d.labels;
  return b;
}

// The integer `key` (default `fallback`), a count of generated samples: >= 1, and the data
// (`columns` values a sample, held about three times: generated, split and batched) with the
// network's state for each sample (`dofs` values) must fit in memory.
Index sample_count(Section& s, const std::string& key, Index fallback, double columns, Index dofs) {
  const Index count = s.integer(key, fallback);
  if (count < 1) s.fail(key, concat("must be >= 1 (got ", count, ")"));
  const auto n = static_cast<double>(count);
  const std::string shortfall = memory_shortfall(
      8.0 * n * (3.0 * columns + static_cast<double>(dofs)),
      concat(count, " samples x (", columns, " data columns + ", dofs, " network states)"));
  if (!shortfall.empty()) s.fail(key, shortfall);
  return count;
}

// A positive integer `key` that sizes a generated map (rows or columns).
Index map_size(Section& s, const std::string& key, Index fallback) {
  const Index n = s.integer(key, fallback);
  if (n < 1) s.fail(key, concat("must be >= 1 (got ", n, ")"));
  const std::string shortfall =
      memory_shortfall(8.0 * static_cast<double>(n) * static_cast<double>(n), concat(n, " x ", n));
  if (!shortfall.empty()) s.fail(key, concat("a map of up to ", shortfall));
  return n;
}

// A zero column of the target map is an input with exactly no effect on any target (the
// network can only learn to ignore it); a zero row an output whose target is always 0.
std::vector<std::string> map_warnings(const Matrix& map) {
  std::vector<std::string> out;
  for (Index j = 0; j < map.cols(); ++j)
    if ((map.col(j).array() == 0.0).all())
      out.push_back(concat("data.map: column ", j, " is zero, so input ", j,
                           " has no effect on any target (was another map meant?)"));
  for (Index k = 0; k < map.rows(); ++k)
    if ((map.row(k).array() == 0.0).all())
      out.push_back(concat("data.map: row ", k, " is zero, so the target of output ", k,
                           " is 0 for every sample, whatever the inputs"));
  return out;
}

void read_data(Section& s, Experiment& e, const std::string& base_dir) {
  const std::string kind = s.text("kind", "");
  const auto seed = static_cast<std::uint64_t>(s.integer("seed", 1));
  Dataset all;
  const Index num_dofs = e.model->num_dofs();
  if (kind == "linear") {
    const Matrix map = named_or_explicit_map(s);
    e.warnings = map_warnings(map);
    const Index samples =
        sample_count(s, "samples", 112, static_cast<double>(map.rows() + map.cols()), num_dofs);
    const double low = s.number("low", 0.0), high = s.number("high", 1.0);
    if (!(low < high)) s.fail("low", concat("need low < high (got ", low, ", ", high, ")"));
    all = guarded(s, "high", [&] { return linear_regression_data(map, samples, low, high, seed); });
  } else if (kind == "normal_linear") {
    const Matrix map = named_or_explicit_map(s);
    e.warnings = map_warnings(map);
    const Index samples =
        sample_count(s, "samples", 150, static_cast<double>(map.rows() + map.cols()), num_dofs);
    all = guarded(s, "sd", [&] {
      return normal_linear_regression_data(map, samples, s.number("sd", 1.0), seed);
    });
  } else if (kind == "samples") {
    // Samples written out in the file: one row per sample (000's allostery: one input pattern
    // and its target drops).
    all.inputs = explicit_matrix(s, "inputs");
    all.targets = explicit_matrix(s, "targets", true);
    if (all.targets.rows() != all.inputs.rows())
      s.fail("targets", concat("has ", all.targets.rows(),
                               " rows (need one per input row: ", all.inputs.rows(), ")"));
    all.citation = "samples listed in the experiment file";
    if (all.targets.array().isNaN().any()) {
      // A nan target leaves that output unconstrained for that sample (003's simultaneous
      // allosteric tasks: sample r constrains only output r). The losses skip nan entries;
      // the data layer (split, scaling) does not take them, so every sample is training data.
      if (s.has("train_fraction") || s.has("train_per_class") || s.has("pca"))
        s.fail("targets", "nan targets (unconstrained outputs) allow no split or pca");
      (void)s.integer("split_seed", 0);
      s.finish();
      e.train.inputs = all.inputs;
      e.train.targets = all.targets;
      e.test = Batch{};
      if (e.train.inputs.cols() != e.task.num_inputs() ||
          e.train.targets.cols() != e.task.num_outputs())
        s.fail("targets", concat("need ", e.task.num_inputs(), " input and ", e.task.num_outputs(),
                                 " target columns (got ", e.train.inputs.cols(), " and ",
                                 e.train.targets.cols(), ")"));
      return;
    }
  } else if (kind == "noisy_linear") {
    const Index outputs = map_size(s, "outputs", 2);
    const Index inputs = map_size(s, "inputs", 2);
    const Index samples =
        sample_count(s, "samples", 100, static_cast<double>(inputs + outputs), num_dofs);
    all = guarded(s, "noise_sd", [&] {
      return noisy_linear_data(outputs, inputs, samples, s.number("noise_sd", 3.0), seed).data;
    });
  } else if (kind == "clusters_000") {
    // Three classes of 2D points with one-hot targets: 5 columns a sample.
    const Index per_class = sample_count(s, "per_class", 50, 3.0 * 5.0, 3 * num_dofs);
    all = gaussian_clusters_000(per_class, seed);
  } else if (kind == "iris") {
    all = load_iris(resolve(base_dir, s.text("data_dir", PLNET_DATA_DIR)));
  } else if (kind == "breast_cancer") {
    all = load_breast_cancer(resolve(base_dir, s.text("data_dir", PLNET_DATA_DIR)));
  } else if (kind == "csv") {
    CsvOptions options;
    options.label_column = s.text("label", "");
    const std::string file = resolve(base_dir, s.text("file", ""));
    e.input_files.push_back(file);
    const Table t = read_csv(file, options);
    const auto columns = s.strings("targets_columns");
    try {
      all = dataset_from_table(t, columns);
    } catch (const std::invalid_argument& ex) {
      const std::string what = ex.what();
      const std::string prefix = "dataset_from_table: ";
      s.fail(
          "targets_columns",
          concat("'", file, "': ", what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what));
    }
  } else if (kind == "constraints_003") {
    // 003 App. A: task r applies a random force F_r and asks A_r . x = -B_r. Each task is one
    // sample whose input channel r carries F_r and whose only constrained output is A_r . x.
    if (!e.task.inputs.empty() || !e.task.outputs.empty())
      s.fail("kind",
             "constraints_003 builds the task's inputs and outputs; leave them out of [task]");
    const auto& model = *e.model;
    // Each task: a force and a constraint on every dof, and an input and a target per task.
    const Index tasks = map_size(s, "tasks", 1);
    (void)sample_count(s, "tasks", 1, 2.0 * static_cast<double>(tasks), 4 * model.num_dofs());
    const auto t = random_linear_constraint_tasks(model.num_dofs(), tasks, seed);
    std::set<Index> held;
    for (const auto& h : e.task.fixed.holds) held.insert(h.dof);
    for (Index r = 0; r < tasks; ++r) {
      std::vector<Index> dofs;
      std::vector<double> force;
      for (Index dof = 0; dof < model.num_dofs(); ++dof) {
        if (held.contains(dof)) continue;  // a force on a held dof does nothing
        dofs.push_back(dof);
        force.push_back(t.forces(r, dof));
      }
      e.task.inputs.push_back(injection_input(dofs, force, concat("F_", r)));
      Readout readout;
      readout.name = concat("A_", r);
      for (Index dof = 0; dof < model.num_dofs(); ++dof) {
        readout.dofs.push_back(dof);
        readout.coefficients.push_back(t.constraints(r, dof));
      }
      e.task.outputs.push_back(readout);
    }
    // NaN marks the unconstrained outputs, so these samples bypass the data layer's split.
    e.train.inputs = Matrix::Identity(tasks, tasks);
    e.train.targets = Matrix::Constant(tasks, tasks, std::numeric_limits<double>::quiet_NaN());
    for (Index r = 0; r < tasks; ++r) e.train.targets(r, r) = -t.offsets[r];
    e.test = Batch{};
    // No split: a split_seed (set by ParseOptions::seed for every data kind) is accepted unused.
    (void)s.integer("split_seed", 0);
    s.finish();
    return;
  } else {
    s.fail("kind", concat("unknown data kind (got '", kind,
                          "', need linear, samples, normal_linear, noisy_linear, clusters_000, "
                          "iris, breast_cancer, csv or constraints_003)"));
  }
  // Split first, then fit any scaling/PCA on the training rows only.
  SplitOptions split;
  split.train_fraction = s.number("train_fraction", 1.0);
  split.train_per_class = s.integer("train_per_class", -1);
  split.stratify = all.num_classes > 0;
  split.seed = static_cast<std::uint64_t>(s.integer("split_seed", static_cast<Index>(seed) + 1));
  try {
    split.validate();
  } catch (const std::invalid_argument& ex) {
    s.fail("train_fraction", ex.what());
  }
  Split parts = train_test_split(all, split);
  if (s.has("pca")) {
    const Index k = s.integer("pca", 0);
    if (k < 1 || k > all.num_features())
      s.fail("pca", concat("need 1 <= pca <= ", all.num_features(), " (got ", k, ")"));
    const Pca pca = fit_pca(parts.train.inputs, k, s.text("standardize", "yes") == "yes");
    parts.train.inputs = pca.transform(parts.train.inputs);
    if (parts.test.num_samples() > 0) parts.test.inputs = pca.transform(parts.test.inputs);
  }
  if (s.has("input_gain"))
    s.fail("input_gain",
           "the input gain is a [task] key (it scales the inputs where they enter "
           "the network, so the data keep their own values)");
  if (s.text("encoding", "none") == "doubled_inverted") {
    DoubledInvertedOptions o;
    o.grounds = false;  // the +-1 reference nodes are fixed conditions of the task
    parts.train.inputs = encode_doubled_inverted(parts.train.inputs, o);
    if (parts.test.num_samples() > 0)
      parts.test.inputs = encode_doubled_inverted(parts.test.inputs, o);
  } else if (s.text("encoding", "none") != "none") {
    s.fail("encoding", concat("unknown encoding (got '", s.text("encoding", ""),
                              "', need none or doubled_inverted)"));
  }
  if (all.num_classes > 0 && all.num_outputs() == 0) {
    const double lo = s.number("target_low", 0.0), hi = s.number("target_high", 1.0);
    parts.train.targets = one_hot(parts.train.labels, all.num_classes, lo, hi);
    if (parts.test.num_samples() > 0)
      parts.test.targets = one_hot(parts.test.labels, all.num_classes, lo, hi);
  }
  s.finish();
  e.train = to_batch(parts.train);
  e.test = to_batch(parts.test);
  if (e.train.inputs.cols() != e.task.num_inputs())
    throw std::invalid_argument(concat(s.origin(), ": line ", s.line(), ": data: the data have ",
                                       e.train.inputs.cols(), " input columns but task.inputs has ",
                                       e.task.num_inputs(), " entries"));
  if (e.train.targets.cols() != e.task.num_outputs())
    throw std::invalid_argument(
        concat(s.origin(), ": line ", s.line(), ": data: the data have ", e.train.targets.cols(),
               " target columns but task.outputs has ", e.task.num_outputs(), " entries"));
}

// The costs logged every logging.every steps (5 values a row) and the parameter snapshots taken
// every logging.parameters_every steps are held for the whole run and written at its end (two
// copies): refused when they cannot fit, before the first step.
void require_log_memory(Section& log, const ProtocolOptions& pr, Index num_parameters) {
  const auto steps = static_cast<double>(pr.steps);
  const double rows = std::floor(steps / static_cast<double>(pr.log_every)) + 1.0;
  std::string shortfall = memory_shortfall(2.0 * 8.0 * 5.0 * rows,
                                           concat(rows, " log rows (protocol.steps = ", pr.steps,
                                                  " / every = ", pr.log_every, ") x 5 columns"));
  if (!shortfall.empty()) log.fail("every", shortfall);
  if (pr.parameters_every <= 0) return;
  const double snapshots = std::floor(steps / static_cast<double>(pr.parameters_every)) + 1.0;
  shortfall = memory_shortfall(
      2.0 * 8.0 * snapshots * static_cast<double>(num_parameters),
      concat(snapshots, " snapshots (protocol.steps = ", pr.steps,
             " / parameters_every = ", pr.parameters_every, ") x ", num_parameters, " parameters"));
  if (!shortfall.empty()) log.fail("parameters_every", shortfall);
}

// A node network on n nodes: n (n + 1) / 2 couplings and dense n x n matrices (W, H, its
// factor and the random start), refused before they are allocated when they cannot fit.
physics::LinearModel node_model(Section& s, Index n) {
  const auto nodes = static_cast<double>(n);
  const std::string shortfall = memory_shortfall(
      4.0 * 8.0 * nodes * nodes,
      concat("a node network on ", n, " nodes: its dense ", n, " x ", n, " matrices"));
  if (!shortfall.empty()) s.fail(s.has("nodes") ? "nodes" : "model", shortfall);
  return physics::node_model(n);
}

const std::set<std::string>& experiment_sections() {
  static const std::set<std::string> kSections = {"experiment", "network", "parameters", "task",
                                                  "data",       "loss",    "rule",       "protocol",
                                                  "logging",    "solver"};
  return kSections;
}

// ParseOptions::overlays: every key of [<overlay>.<section>] replaces <section>.<key>.
// Overlays of the caller's extra sections are left to the caller. `lines` (if not null)
// collects the lines of the keys put in.
void apply_overlay(toml::table& root, const std::string& overlay, const std::string& origin,
                   const std::set<std::string>& extra, std::set<std::int64_t>* lines = nullptr) {
  const auto* top = root.get_as<toml::table>(overlay);
  if (top == nullptr) return;
  const toml::table copy = *top;
  for (const auto& [name, value] : copy) {
    const std::string section_name(name.str());
    if (extra.contains(section_name)) continue;
    const auto* patch = value.as_table();
    if (patch == nullptr || !experiment_sections().contains(section_name)) {
      if (overlay == kOverrideTable && patch != nullptr)
        throw std::invalid_argument(concat(origin, ": --set ", section_name,
                                           ".*: not an experiment section (need experiment, "
                                           "network, parameters, task, data, loss, rule, "
                                           "protocol, logging or solver)"));
      throw std::invalid_argument(concat(origin, ": line ", value.source().begin.line, ": ",
                                         overlay, ".", section_name,
                                         ": not an experiment section to overlay"));
    }
    if (!root.contains(section_name)) root.insert(section_name, toml::table{});
    auto* target = root.get_as<toml::table>(section_name);
    if (target == nullptr) continue;  // not a table: section() reports it
    for (const auto& [key, item] : *patch) {
      target->insert_or_assign(key, item);
      if (lines != nullptr) lines->insert(item.source().begin.line);
    }
  }
}

// ParseOptions::seed: one seed replaces every seed key, each with its own derived stream.
void apply_seed(toml::table& root, std::uint64_t seed) {
  struct Key {
    const char* section;
    const char* key;
  };
  static const Key kSeedKeys[] = {
      {"network", "seed"},  {"parameters", "seed"}, {"data", "seed"}, {"data", "split_seed"},
      {"protocol", "seed"}, {"task", "edge_seed"}};  // appended: earlier streams unchanged
  std::uint64_t index = 0;
  for (const auto& [section_name, key] : kSeedKeys) {
    const auto value = static_cast<std::int64_t>(random::derive_seed(seed, index++));
    // A network read from a file has no seed key to replace.
    if (std::string(section_name) == "network" && root["network"]["file"]) continue;
    if (!root.contains(section_name)) root.insert(section_name, toml::table{});
    // A section that is not a table is left for section() to report.
    if (auto* table = root.get_as<toml::table>(section_name)) table->insert_or_assign(key, value);
  }
}

// ParseOptions::initial_seed: only the initial parameters' and the protocol's streams.
void apply_initial_seed(toml::table& root, std::uint64_t seed) {
  std::uint64_t index = 0;
  for (const char* section_name : {"parameters", "protocol"}) {
    const auto value = static_cast<std::int64_t>(random::derive_seed(seed, index++));
    if (!root.contains(section_name)) root.insert(section_name, toml::table{});
    if (auto* table = root.get_as<toml::table>(section_name))
      table->insert_or_assign("seed", value);
  }
}

}  // namespace

Experiment parse_experiment(const std::string& text, const std::string& origin,
                            const std::string& base_dir, const ParseOptions& options) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& err) {
    throw std::invalid_argument(
        concat(origin, ": line ", err.source().begin.line,
               ": malformed TOML: ", ::plnet::one_line(std::string(err.description()))));
  }
  std::set<std::string> extra(options.extra_sections.begin(), options.extra_sections.end());
  std::vector<std::string> overlays = options.overlays;
  if (std::find(overlays.begin(), overlays.end(), kOverrideTable) == overlays.end())
    overlays.emplace_back(kOverrideTable);
  std::set<std::int64_t> override_lines;
  for (const auto& overlay : overlays)
    apply_overlay(root, overlay, origin, extra,
                  overlay == kOverrideTable ? &override_lines : nullptr);
  struct OverrideLines {
    explicit OverrideLines(const std::set<std::int64_t>* lines) { t_override_lines = lines; }
    ~OverrideLines() { t_override_lines = nullptr; }
    OverrideLines(const OverrideLines&) = delete;
    OverrideLines& operator=(const OverrideLines&) = delete;
  } naming_overrides(&override_lines);
  if (options.seed) apply_seed(root, *options.seed);
  if (options.initial_seed) apply_initial_seed(root, *options.initial_seed);
  extra.insert(overlays.begin(), overlays.end());
  for (const auto& [key, value] : root)
    if (!experiment_sections().contains(std::string(key.str())) &&
        !extra.contains(std::string(key.str())))
      throw std::invalid_argument(concat(origin, ": line ", value.source().begin.line, ": ",
                                         key.str(),
                                         ": unknown section (need experiment, network, parameters, "
                                         "task, data, loss, rule, protocol, logging or solver)"));
  Experiment e;
  e.path = origin;
  e.config_text = text;
  Section meta = section(root, "experiment", origin);
  e.description = meta.text("description", "");
  // Written as an HDF5 string attribute, which ends at the first NUL: refuse it now rather
  // than after the run.
  if (e.description.find('\0') != std::string::npos)
    meta.fail("description", "contains a NUL character");
  meta.finish();

  Section net = section(root, "network", origin);
  if (!net.present()) net.fail("file", "the [network] section is required");
  std::string model_name;
  e.network = read_network_section(net, base_dir, model_name, e.input_files);
  if (model_name == "spring")
    e.model = std::make_unique<physics::LinearModel>(
        guarded(net, "model", [&] { return physics::spring_model(e.network); }));
  else if (model_name == "node")
    e.model = std::make_unique<physics::LinearModel>(node_model(net, e.network.num_nodes()));
  else
    e.model = std::make_unique<physics::LinearModel>(physics::resistor_model(e.network));

  Section params = section(root, "parameters", origin);
  e.initial_parameters = initial_parameters(params, *e.model, e.network, base_dir, e.input_files);

  Section task = section(root, "task", origin);
  e.task = read_task(task, *e.model, e.network);
  // 004 eq. (20): the input gain gamma (a sample's value u enters the network as gamma u).
  const double input_gain = task.number("input_gain", 1.0);
  if (!std::isfinite(input_gain) || input_gain <= 0.0)
    task.fail("input_gain", concat("must be finite and > 0 (got ", input_gain, ")"));
  task.finish();

  Section data = section(root, "data", origin);
  if (!data.present()) data.fail("kind", "the [data] section is required");
  read_data(data, e, base_dir);
  for (auto& in : e.task.inputs)  // every channel, also those the data kind built
    for (double& c : in.coefficients) c *= input_gain;
  guarded(task, "outputs", [&] {
    e.task.validate(*e.model);
    return 0;
  });

  Section loss = section(root, "loss", origin);
  e.loss.kind =
      guarded(loss, "kind", [&] { return loss_kind_from_string(loss.text("kind", "mse")); });
  e.loss.reduction = guarded(loss, "reduction",
                             [&] { return reduction_from_string(loss.text("reduction", "sum")); });
  e.loss.margin = loss.number("margin", 1.0);
  loss.finish();
  if (e.loss.kind != LossKind::kMse && e.loss.kind != LossKind::kCosine && e.train.labels.empty())
    loss.fail("kind", concat(to_string(e.loss.kind), " needs class labels in the data"));

  Section rule = section(root, "rule", origin);
  e.rule.kind =
      guarded(rule, "kind", [&] { return rule_kind_from_string(rule.text("kind", "coupled")); });
  e.rule.nudge = rule.number("nudge", e.rule.nudge);
  e.rule.order = static_cast<int>(rule.integer("order", 1));
  e.rule.nudge_kind = guarded(
      rule, "nudge_kind", [&] { return nudge_kind_from_string(rule.text("nudge_kind", "force")); });
  guarded(rule, "nudge", [&] {
    e.rule.validate(e.loss);
    return 0;
  });
  rule.finish();

  Section p = section(root, "protocol", origin);
  auto& pr = e.protocol;
  pr.learning_rate = p.number("learning_rate", pr.learning_rate);
  pr.steps = p.integer("steps", pr.steps);
  if (p.has("batch")) {
    if (const auto name = p.typed("batch", kTomlString | kTomlInteger,
                                  "a batch mode (full or single) or a batch size")
                              ->value<std::string>()) {
      pr.batch_mode = guarded(p, "batch", [&] { return batch_mode_from_string(*name); });
    } else {
      pr.batch_mode = BatchMode::kMinibatch;
      pr.batch_size = p.integer("batch", 30);
    }
  }
  pr.learn = guarded(p, "learn",
                     [&] { return parametrization_from_string(p.text("learn", "conductance")); });
  if (p.has("bounds")) {
    const auto b = p.numbers("bounds");
    if (b.size() != 2) p.fail("bounds", "needs [lower, upper]");
    pr.bounds = Bounds{b[0], b[1]};
  }
  pr.noise_sd = p.number("noise_sd", 0.0);
  pr.update_fraction = p.number("update_fraction", 1.0);
  pr.freeze_probability = p.number("freeze_probability", 0.0);
  pr.stop_cost = p.number("stop_cost", 0.0);
  pr.seed = static_cast<std::uint64_t>(p.integer("seed", 1));
  Section log = section(root, "logging", origin);
  e.logging.every = log.integer("every", std::max<Index>(1, pr.steps / 1000));
  e.logging.parameters_every = log.integer("parameters_every", 0);
  e.logging.checkpoint_every = log.integer("checkpoint_every", 0);
  if (e.logging.checkpoint_every < 0)
    log.fail("checkpoint_every", concat("must be >= 0 (got ", e.logging.checkpoint_every, ")"));
  log.finish();
  pr.log_every = e.logging.every;
  pr.parameters_every = e.logging.parameters_every;
  try {
    pr.validate();
  } catch (const std::invalid_argument& ex) {
    // "protocol.steps: ..." -> point at that key's line.
    const std::string what = ex.what();
    const auto dot = what.find('.');
    const auto colon = what.find(':');
    const std::string key = (dot != std::string::npos && colon != std::string::npos && dot < colon)
                                ? what.substr(dot + 1, colon - dot - 1)
                                : "";
    if (key == "log_every") log.fail("every", what.substr(colon + 2));
    if (key == "parameters_every") log.fail("parameters_every", what.substr(colon + 2));
    p.fail(key == "batch" ? "batch" : key, what.substr(colon + 2));
  }
  require_log_memory(log, pr, e.model->num_parameters());
  if (pr.batch_mode == BatchMode::kMinibatch && pr.batch_size > e.train.size())
    p.fail("batch", concat("larger than the training set (got ", pr.batch_size, ", have ",
                           e.train.size(), " samples)"));
  p.finish();

  Section solver = section(root, "solver", origin);
  e.solve.backend = solver.text("backend", "auto");
  guarded(solver, "backend", [&] {
    e.solve.validate();
    return 0;
  });
  solver.finish();
  return e;
}

std::map<std::string, SchemaKey> experiment_schema(const std::string& text,
                                                   const std::string& origin,
                                                   const std::string& base_dir,
                                                   const ParseOptions& options) {
  std::map<std::string, SchemaKey> schema;
  struct Recording {
    explicit Recording(std::map<std::string, SchemaKey>* into) { t_schema = into; }
    ~Recording() { t_schema = nullptr; }
    Recording(const Recording&) = delete;
    Recording& operator=(const Recording&) = delete;
  } recording(&schema);
  (void)parse_experiment(text, origin, base_dir, options);
  return schema;
}

std::string override_text(const std::vector<std::string>& overrides, const std::string& command) {
  std::map<std::string, std::string> tables;
  std::set<std::string> keys;
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    const auto dot = o.find('.');
    require(eq != std::string::npos && dot != std::string::npos && dot > 0 && dot + 1 < eq, "--set",
            "need section.key=value (got '", o, "')");
    const std::string section = o.substr(0, dot);
    const std::string key = o.substr(dot + 1, eq - dot - 1);
    const std::string value = o.substr(eq + 1);
    for (const std::string& word : {section, key})
      for (char c : word)
        require(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_', "--set",
                "section and key must be plain names (got '", o, "')");
    const std::string where = "--set " + section + "." + key;
    require(keys.insert(section + "." + key).second, where, "given twice");
    // One TOML value and nothing else (a newline could otherwise smuggle in a table).
    bool one_value = false;
    try {
      const toml::table parsed = toml::parse("v = " + value);
      one_value = parsed.size() == 1 && parsed.contains("v");
    } catch (const toml::parse_error&) {
    }
    require(one_value, where, "'", value,
            "' is not a TOML value (numbers as 0.5 or 1e4, strings in quotes: '\"full\"', "
            "arrays as [1e-6, 1e6])");
    tables[section] += key + " = " + value + "\n";
  }
  std::string text;
  if (!tables.empty()) text = "\n# overrides (" + command + ")\n";
  for (const auto& [section, body] : tables)
    text += "[" + std::string(kOverrideTable) + "." + section + "]\n" + body;
  return text;
}

Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides,
                           const std::string& command) {
  const std::string text = io::read_text_file(path) + override_text(overrides, command);
  const auto dir = std::filesystem::path(path).parent_path().string();
  return parse_experiment(text, path, dir.empty() ? "." : dir);
}

namespace {

// Every key of every experiment section of `text`, after its [set] overrides, as TOML text.
std::map<std::string, std::string> key_values(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& err) {
    throw std::invalid_argument(
        concat(origin, ": line ", err.source().begin.line,
               ": malformed TOML: ", ::plnet::one_line(std::string(err.description()))));
  }
  apply_overlay(root, kOverrideTable, origin, {});
  std::map<std::string, std::string> values;
  for (const auto& [section_name, section] : root) {
    const std::string name(section_name.str());
    const auto* table = section.as_table();
    if (name == kOverrideTable || table == nullptr) continue;
    for (const auto& [key, node] : *table) {
      std::ostringstream out;
      if (const auto* f = node.as_floating_point()) {
        // The shortest text that reads back as the same double: 0.4, not 0.40000000000000002.
        char digits[32];
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, f->get());
        out << std::string(digits, ec == std::errc() ? end : digits);
      } else {
        node.visit([&](const auto& n) { out << n; });
      }
      values[name + "." + std::string(key.str())] = out.str();
    }
  }
  return values;
}

}  // namespace

std::vector<KeyChange> changed_keys(const std::string& old_text, const std::string& old_origin,
                                    const std::string& new_text, const std::string& new_origin) {
  const auto before = key_values(old_text, old_origin);
  const auto after = key_values(new_text, new_origin);
  std::set<std::string> names;
  for (const auto& [key, value] : before) names.insert(key);
  for (const auto& [key, value] : after) names.insert(key);
  std::vector<KeyChange> changes;
  for (const auto& key : names) {
    const auto b = before.find(key);
    const auto a = after.find(key);
    const std::string old_value = b == before.end() ? "unset" : b->second;
    const std::string new_value = a == after.end() ? "unset" : a->second;
    if (b == before.end() || a == after.end() || b->second != a->second)
      changes.push_back({key, old_value, new_value});
  }
  return changes;
}

}  // namespace plnet::learning
