#include <plnet/core/error.hpp>
#include <plnet/io/atomic_file.hpp>
#include <plnet/io/network_io.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace plnet::io {

namespace {

using Json = nlohmann::json;

constexpr const char* kFormat = "plnet-network";
constexpr int kVersion = 1;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::invalid_argument(path + ": " + what);
}

/// The shortest decimal that reads back to exactly `x` (std::to_chars guarantees round trip).
std::string exact(double x) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
  return std::string(buffer.data(), result.ptr);
}

/// A JSON value as it appears in a message, cut short if long.
std::string shown(const Json& j) {
  std::string text = j.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

std::string without_prefix(const std::string& message, const std::string& prefix) {
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

/// Rebuilds the network through its constructor, so its invariants are checked in one place;
/// its "network: <what>" becomes "<path>: <what>".
graph::Network checked_network(const std::string& path, Index num_nodes,
                               std::vector<graph::Edge> edges, Vector conductances,
                               Matrix positions, Vector box) {
  try {
    return graph::Network(num_nodes, std::move(edges), std::move(conductances),
                          std::move(positions), std::move(box));
  } catch (const std::invalid_argument& e) {
    fail(path, without_prefix(e.what(), "network: "));
  }
}

// ---------------------------------------------------------------- JSON

/// nlohmann's messages start with "[json.exception.parse_error.101] "; the user needs the rest.
std::string json_message(const Json::exception& e) {
  const std::string what = e.what();
  const auto close = what.find("] ");
  return what.rfind("[json.exception.", 0) == 0 && close != std::string::npos
             ? what.substr(close + 2)
             : what;
}

Json parse_json_file(const std::string& path) {
  const std::string text = read_text_file(path);
  // nlohmann keeps the last of repeated keys silently; a repeated key is almost always an edit
  // gone wrong, so it is an error.
  std::set<std::string> seen;
  auto reject_repeated_keys = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::key && depth == 1 &&
        !seen.insert(parsed.get<std::string>()).second)
      fail(path, concat("repeated key ", parsed.dump()));
    return true;
  };
  try {
    return Json::parse(text, reject_repeated_keys);
  } catch (const Json::parse_error& e) {
    fail(path, concat("malformed JSON at byte ", e.byte, ": ", json_message(e)));
  } catch (const Json::exception& e) {
    fail(path, "malformed JSON: " + json_message(e));
  }
}

void check_top_level(const Json& doc, const std::string& path) {
  if (!doc.is_object())
    fail(path, concat("top level must be a JSON object (got ", doc.type_name(), ")"));
  static constexpr std::array<const char*, 7> kKeys = {
      "format", "version", "nodes", "edges", "conductances", "box", "source_nodes"};
  for (const auto& item : doc.items())
    if (std::find(kKeys.begin(), kKeys.end(), item.key()) == kKeys.end())
      fail(path, concat("unknown key \"", item.key(),
                        "\" (allowed: format, version, nodes, edges, conductances, box, "
                        "source_nodes)"));
  if (doc.contains("format") && doc.at("format") != kFormat)
    fail(path, concat("format: must be \"", kFormat, "\" (got ", shown(doc.at("format")), ")"));
  if (doc.contains("version") && doc.at("version") != kVersion)
    fail(path,
         concat("version: unsupported (got ", shown(doc.at("version")), ", need ", kVersion, ")"));
  if (!doc.contains("nodes"))
    fail(path, "missing key \"nodes\" (a node count or an array of positions)");
  if (!doc.contains("edges")) fail(path, "missing key \"edges\" (an array of [a, b] pairs)");
}

double number_at(const Json& j, const std::string& path, const std::string& field) {
  if (!j.is_number()) fail(path, concat(field, ": must be a number (got ", shown(j), ")"));
  return j.get<double>();
}

/// An integer; integral floats such as 3.0 (written by some tools) are accepted.
Index integer_at(const Json& j, const std::string& path, const std::string& field) {
  constexpr auto kMax = std::numeric_limits<Index>::max();
  if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(kMax))
    fail(path, concat(field, ": integer too large (got ", shown(j), ")"));
  if (j.is_number_integer()) return j.get<Index>();
  if (j.is_number_float()) {
    const double v = j.get<double>();
    if (std::isfinite(v) && v == std::trunc(v) && std::abs(v) < 0x1p53)
      return static_cast<Index>(v);
  }
  fail(path, concat(field, ": must be an integer (got ", shown(j), ")"));
}

struct Nodes {
  Index count = 0;
  Matrix positions;
};

Nodes read_nodes(const Json& j, const std::string& path) {
  if (j.is_number()) {
    const Index count = integer_at(j, path, "nodes");
    if (count < 1) fail(path, concat("nodes: node count must be positive (got ", count, ")"));
    return {count, Matrix()};
  }
  if (!j.is_array())
    fail(path, concat("nodes: must be a node count or an array of [x, y] or [x, y, z] "
                      "positions (got ",
                      shown(j), ")"));
  if (j.empty()) fail(path, "nodes: empty array (need at least one node)");
  const Json& first = j.front();
  if (!first.is_array() || (first.size() != 2 && first.size() != 3))
    fail(path, concat("nodes[0]: must be a position [x, y] or [x, y, z] (got ", shown(first), ")"));
  const auto dim = static_cast<Index>(first.size());
  Nodes nodes{static_cast<Index>(j.size()), Matrix(static_cast<Index>(j.size()), dim)};
  for (Index n = 0; n < nodes.count; ++n) {
    const Json& row = j[static_cast<std::size_t>(n)];
    if (!row.is_array() || static_cast<Index>(row.size()) != dim)
      fail(path, concat("nodes[", n, "]: must be a position with ", dim,
                        " coordinates like nodes[0] (got ", shown(row), ")"));
    for (Index c = 0; c < dim; ++c)
      nodes.positions(n, c) =
          number_at(row[static_cast<std::size_t>(c)], path, concat("nodes[", n, "][", c, "]"));
  }
  return nodes;
}

std::vector<graph::Edge> read_edges(const Json& j, const std::string& path) {
  if (!j.is_array())
    fail(path, concat("edges: must be an array of [a, b] pairs (got ", shown(j), ")"));
  std::vector<graph::Edge> edges;
  edges.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    const Json& e = j[i];
    if (!e.is_array() || e.size() != 2)
      fail(path, concat("edges[", i, "]: must be a pair [a, b] (got ", shown(e), ")"));
    edges.push_back({integer_at(e[0], path, concat("edges[", i, "][0]")),
                     integer_at(e[1], path, concat("edges[", i, "][1]"))});
  }
  return edges;
}

Vector read_conductances(const Json& j, const std::string& path, Index num_edges) {
  if (!j.is_array())
    fail(path, concat("conductances: must be an array of numbers (got ", shown(j), ")"));
  // Checked here, not left to Network: an empty vector would mean "all ones" there.
  if (static_cast<Index>(j.size()) != num_edges)
    fail(path, concat("conductances: wrong length (got ", j.size(), ", need ", num_edges,
                      ", one per edge)"));
  Vector k(num_edges);
  for (Index i = 0; i < num_edges; ++i)
    k[i] = number_at(j[static_cast<std::size_t>(i)], path, concat("conductances[", i, "]"));
  return k;
}

/// The periodic box [L_x, L_y] or [L_x, L_y, L_z]; its length against the positions and the
/// values themselves are checked by Network.
Vector read_box(const Json& j, const std::string& path) {
  if (!j.is_array() || j.empty())
    fail(path, concat("box: must be an array of side lengths [L_x, L_y] or [L_x, L_y, L_z] (got ",
                      shown(j), ")"));
  Vector box(static_cast<Index>(j.size()));
  for (Index d = 0; d < box.size(); ++d)
    box[d] = number_at(j[static_cast<std::size_t>(d)], path, concat("box[", d, "]"));
  return box;
}

/// "source_nodes": each node's index before a generator dropped nodes (the Network checks the
/// length and order).
std::vector<Index> read_source_nodes(const Json& j, const std::string& path) {
  if (!j.is_array())
    fail(path, concat("source_nodes: must be an array of node indices (got ", shown(j), ")"));
  std::vector<Index> out;
  for (std::size_t n = 0; n < j.size(); ++n) {
    if (!j[n].is_number_integer())
      fail(path, concat("source_nodes[", n, "]: must be an integer (got ", shown(j[n]), ")"));
    out.push_back(j[n].get<Index>());
  }
  return out;
}

/// Writes `[\n    item,\n    item\n  ]` (or `[]`) with item(i) writing the i-th element.
template <typename WriteItem>
void write_array(std::ostream& out, Index count, WriteItem&& item) {
  if (count == 0) {
    out << "[]";
    return;
  }
  out << "[\n";
  for (Index i = 0; i < count; ++i) {
    out << "    ";
    item(i);
    out << (i + 1 < count ? ",\n" : "\n");
  }
  out << "  ]";
}

// ---------------------------------------------------------------- edge list

std::vector<std::string> split_fields(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

template <typename T>
std::optional<T> parse_whole(const std::string& token) {
  T value{};
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (error != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return value;
}

/// Maps Network's "network: edges[i]: <what>" to "line L: <what>" for the line of edge i.
std::string at_line(const std::string& message, const std::vector<Index>& lines) {
  static const std::regex kPattern(R"(^network: (edges|conductances)\[(\d+)\]: (.*)$)");
  std::smatch m;
  if (std::regex_match(message, m, kPattern)) {
    const auto i = std::stoull(m[2].str());
    if (i < lines.size())
      return concat("line ", lines[i], ": ", m[1] == "conductances" ? "conductance " : "",
                    m[3].str());
  }
  return without_prefix(message, "network: ");
}

struct EdgeListReader {
  std::string path;
  std::optional<Index> declared_nodes;
  std::vector<graph::Edge> edges;
  std::vector<double> conductances;
  std::vector<Index> lines;  // source line of every edge

  [[noreturn]] void fail_at(Index line, const std::string& what) const {
    fail(path, concat("line ", line, ": ", what));
  }

  void header(Index line, const std::vector<std::string>& comment) {
    // Only "# nodes N" (exactly two words) is a header; other comments are free text.
    if (comment.size() != 2 || comment[0] != "nodes") return;
    if (!edges.empty()) fail_at(line, "\"# nodes N\" must come before the first edge");
    if (declared_nodes) fail_at(line, "second \"# nodes N\" header");
    const auto n = parse_whole<Index>(comment[1]);
    if (!n || *n < 1)
      fail_at(line, concat("\"# nodes N\" needs a positive integer (got \"", comment[1], "\")"));
    declared_nodes = *n;
  }

  void edge(Index line, const std::vector<std::string>& fields) {
    if (fields.size() != 2 && fields.size() != 3)
      fail_at(line, concat("expected \"a b\" or \"a b k\" (got ", fields.size(), " fields)"));
    Index ends[2] = {0, 0};
    for (std::size_t j = 0; j < 2; ++j) {
      const auto v = parse_whole<Index>(fields[j]);
      if (!v) fail_at(line, concat("node index must be an integer (got \"", fields[j], "\")"));
      ends[j] = *v;
    }
    const bool has_k = fields.size() == 3;
    if (!lines.empty() && has_k != !conductances.empty())
      fail_at(line, concat(has_k ? "unexpected conductance" : "missing conductance", " (line ",
                           lines.front(), " has ", has_k ? "none" : "one",
                           "; give k on every line or on none)"));
    if (has_k) {
      const auto k = parse_whole<double>(fields[2]);
      if (!k) fail_at(line, concat("conductance must be a number (got \"", fields[2], "\")"));
      conductances.push_back(*k);
    }
    edges.push_back({ends[0], ends[1]});
    lines.push_back(line);
  }

  void line(Index number, const std::string& text) {
    const auto hash = text.find('#');
    const auto fields = split_fields(text.substr(0, hash));
    if (!fields.empty())
      edge(number, fields);
    else if (hash != std::string::npos)
      header(number, split_fields(text.substr(hash + 1)));
  }

  graph::Network network() const {
    Index num_nodes = 0;
    if (declared_nodes) {
      num_nodes = *declared_nodes;
    } else {
      if (edges.empty()) fail(path, "no edges and no \"# nodes N\" header (node count unknown)");
      for (const auto& e : edges) {
        // N = largest index + 1 must itself be an index.
        if (std::max(e.a, e.b) == std::numeric_limits<Index>::max())
          fail(path, concat("node index too large (got ", std::max(e.a, e.b), ")"));
        num_nodes = std::max({num_nodes, e.a + 1, e.b + 1});
      }
      num_nodes = std::max<Index>(num_nodes, 1);  // negative indices are reported by Network
    }
    try {
      return graph::Network(
          num_nodes, edges,
          Eigen::Map<const Vector>(conductances.data(), static_cast<Index>(conductances.size())));
    } catch (const std::invalid_argument& e) {
      fail(path, at_line(e.what(), lines));
    }
  }
};

// ---------------------------------------------------------------- dispatch

enum class FileKind { kJson, kEdgeList };

FileKind file_kind(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".json") return FileKind::kJson;
  if (ext == ".txt" || ext == ".edges" || ext == ".el") return FileKind::kEdgeList;
  fail(path, concat("unknown network file extension (got \"", ext,
                    "\", need .json, .txt, .edges or .el)"));
}

}  // namespace

graph::Network read_network_json(const std::string& path) {
  const Json doc = parse_json_file(path);
  check_top_level(doc, path);
  Nodes nodes = read_nodes(doc.at("nodes"), path);
  std::vector<graph::Edge> edges = read_edges(doc.at("edges"), path);
  Vector k = doc.contains("conductances")
                 ? read_conductances(doc.at("conductances"), path, static_cast<Index>(edges.size()))
                 : Vector::Ones(static_cast<Index>(edges.size()));
  Vector box = doc.contains("box") ? read_box(doc.at("box"), path) : Vector();
  graph::Network net = checked_network(path, nodes.count, std::move(edges), std::move(k),
                                       std::move(nodes.positions), std::move(box));
  if (!doc.contains("source_nodes")) return net;
  try {
    return net.with_source_nodes(read_source_nodes(doc.at("source_nodes"), path));
  } catch (const std::invalid_argument& e) {
    fail(path, without_prefix(e.what(), "network: "));
  }
}

void write_network_json(const graph::Network& net, const std::string& path) {
  write_atomically(path, [&](std::ostream& out) {
    out << "{\n  \"format\": \"" << kFormat << "\",\n  \"version\": " << kVersion
        << ",\n  \"nodes\": ";
    if (net.has_positions()) {
      write_array(out, net.num_nodes(), [&](Index n) {
        out << '[';
        for (Index c = 0; c < net.dimension(); ++c)
          out << (c ? ", " : "") << exact(net.positions()(n, c));
        out << ']';
      });
    } else {
      out << net.num_nodes();
    }
    if (net.is_periodic()) {
      out << ",\n  \"box\": [";
      for (Index d = 0; d < net.box().size(); ++d) out << (d ? ", " : "") << exact(net.box()[d]);
      out << ']';
    }
    out << ",\n  \"edges\": ";
    write_array(out, net.num_edges(),
                [&](Index i) { out << '[' << net.edge(i).a << ", " << net.edge(i).b << ']'; });
    out << ",\n  \"conductances\": ";
    write_array(out, net.num_edges(), [&](Index i) { out << exact(net.conductances()[i]); });
    if (!net.source_nodes().empty()) {
      out << ",\n  \"source_nodes\": ";
      write_array(out, net.num_nodes(),
                  [&](Index n) { out << net.source_nodes()[static_cast<std::size_t>(n)]; });
    }
    out << "\n}\n";
  });
}

graph::Network read_edge_list(const std::string& path) {
  std::istringstream in(read_text_file(path));
  EdgeListReader reader{path, {}, {}, {}, {}};
  Index number = 0;
  for (std::string text; std::getline(in, text);) reader.line(++number, text);
  return reader.network();
}

void write_edge_list(const graph::Network& net, const std::string& path) {
  write_atomically(path, [&](std::ostream& out) {
    out << "# plnet edge list: one edge per line, \"a b conductance\"\n";
    out << "# nodes " << net.num_nodes() << '\n';
    for (Index i = 0; i < net.num_edges(); ++i)
      out << net.edge(i).a << ' ' << net.edge(i).b << ' ' << exact(net.conductances()[i]) << '\n';
  });
}

graph::Network read_network(const std::string& path) {
  return file_kind(path) == FileKind::kJson ? read_network_json(path) : read_edge_list(path);
}

void write_network(const graph::Network& net, const std::string& path) {
  if (file_kind(path) == FileKind::kJson)
    write_network_json(net, path);
  else
    write_edge_list(net, path);
}

}  // namespace plnet::io
