// Network files: exact round trips (JSON and edge list, 2D and 3D) and one test per error,
// each checking that the message names the file, the field or line, and the offending value.
#include <plnet/io/network_io.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "support/reference.hpp"

namespace plnet::io {
namespace {

class NetworkIo : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = (std::filesystem::temp_directory_path() / "plnet_io_XXXXXX").string();
    ASSERT_NE(::mkdtemp(name.data()), nullptr);
    dir_ = name;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string file(const std::string& name, const std::string& content) const {
    std::ofstream(path(name)) << content;
    return path(name);
  }

  /// The message of the std::invalid_argument that reading `content` as `name` throws,
  /// checked to start with the file's path.
  std::string error(const std::string& name, const std::string& content) const {
    const std::string p = file(name, content);
    try {
      read_network(p);
    } catch (const std::invalid_argument& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(p + ": ", 0), 0U) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
      return message;
    }
    ADD_FAILURE() << "no error reading " << name << ":\n" << content;
    return "";
  }

  std::filesystem::path dir_;
};

/// Checks that `message` contains every fragment (error() already checks the file name).
template <typename... Fragments>
void expect_contains(const std::string& message, const Fragments&... fragments) {
  for (const std::string& fragment : {std::string(fragments)...})
    EXPECT_NE(message.find(fragment), std::string::npos)
        << "missing \"" << fragment << "\" in: " << message;
}

void expect_identical(const graph::Network& a, const graph::Network& b) {
  ASSERT_EQ(a.num_nodes(), b.num_nodes());
  EXPECT_EQ(a.edges(), b.edges());
  // Exact: the writers print the shortest decimal that reads back to the same double.
  EXPECT_EQ(a.conductances(), b.conductances());
  ASSERT_EQ(a.dimension(), b.dimension());
  EXPECT_EQ(a.positions(), b.positions());
  ASSERT_EQ(a.is_periodic(), b.is_periodic());
  EXPECT_EQ(a.box(), b.box());
}

// ------------------------------------------------------------------ round trips

TEST_F(NetworkIo, JsonRoundTripIsBitExactIn2dAnd3d) {
  std::mt19937_64 rng(11);
  for (int dimension : {0, 2, 3}) {
    // Conductances over 12 decades and random positions: no value has a short decimal form.
    const auto net = testing::random_connected_network(40, 30, 6.0, rng, dimension);
    const std::string p = path("net" + std::to_string(dimension) + ".json");
    write_network_json(net, p);
    const auto back = read_network_json(p);
    expect_identical(net, back);
    EXPECT_EQ(back.dimension(), dimension);
  }
}

TEST_F(NetworkIo, JsonRoundTripKeepsThePeriodicBox) {
  std::mt19937_64 rng(13);
  for (int dimension : {2, 3}) {
    const auto open = testing::random_connected_network(30, 20, 6.0, rng, dimension);
    // Sides with no short decimal form, so the round trip has to print them exactly.
    const Vector box = Vector::LinSpaced(dimension, 1.0 / 3.0, std::sqrt(2.0)) * 1.7;
    const graph::Network net(open.num_nodes(), open.edges(), open.conductances(), open.positions(),
                             box);
    const std::string p = path("periodic" + std::to_string(dimension) + ".json");
    write_network(net, p);
    const auto back = read_network(p);
    expect_identical(net, back);
    EXPECT_TRUE(back.is_periodic());
  }
}

TEST_F(NetworkIo, JsonKeepsTheSourceNodesOfADroppingGenerator) {
  const graph::Network net =
      graph::Network(3, {{0, 1}, {1, 2}}).with_source_nodes(std::vector<Index>{0, 4, 9});
  write_network(net, path("s.json"));
  EXPECT_EQ(read_network(path("s.json")).source_nodes(), (std::vector<Index>{0, 4, 9}));
  // Not written when nothing was dropped, so old readers still read such files.
  write_network(graph::Network(3, {{0, 1}, {1, 2}}), path("plain.json"));
  std::ifstream in(path("plain.json"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("source_nodes"), std::string::npos);
  expect_contains(error("net.json", R"({"nodes": 2, "edges": [[0, 1]], "source_nodes": [3, 1]})"),
                  "source_nodes[1]: must be >= 0 and larger than the previous entry (got 1)");
  expect_contains(error("net.json", R"({"nodes": 2, "edges": [[0, 1]], "source_nodes": [3]})"),
                  "source_nodes: wrong length (got 1, need 2, one per node)");
  expect_contains(error("net.json", R"({"nodes": 2, "edges": [[0, 1]], "source_nodes": [0, "a"]})"),
                  "source_nodes[1]: must be an integer");
}

TEST_F(NetworkIo, JsonBoxIsWrittenOnlyForPeriodicNetworks) {
  Matrix pos(3, 2);
  pos << 0.0, 0.0, 1.0, 0.0, 9.0, 0.5;
  const graph::Network open(3, {{0, 1}, {1, 2}}, Vector::Constant(2, 0.5), pos);
  write_network(open, path("open.json"));
  std::ifstream in(path("open.json"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("box"), std::string::npos) << text;
  EXPECT_FALSE(read_network(path("open.json")).is_periodic());

  const graph::Network periodic(3, open.edges(), open.conductances(), pos,
                                Eigen::Vector2d(10.0, 2.5));
  write_network(periodic, path("periodic.json"));
  std::ifstream in2(path("periodic.json"));
  const std::string text2((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
  expect_contains(text2, "\"box\": [10, 2.5]");
  const auto back = read_network(path("periodic.json"));
  // Edge 1 crosses the box: its minimum image is (1 - 9 + 10, -0.5).
  EXPECT_EQ(graph::bond_vector(back, 1), Eigen::Vector2d(2.0, -0.5));
}

TEST_F(NetworkIo, JsonFileIsVersionedAndReadable) {
  const graph::Network net(3, {{0, 1}, {1, 2}}, Vector::Constant(2, 0.5));
  write_network(net, path("n.json"));
  std::ifstream in(path("n.json"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  expect_contains(text, "\"format\": \"plnet-network\"", "\"version\": 1", "\"nodes\": 3", "[0, 1]",
                  "0.5");
}

TEST_F(NetworkIo, JsonDefaultsAndOptionalHeader) {
  const auto net = read_network(file("min.json", R"({"nodes": 3, "edges": [[0, 1], [2, 1]]})"));
  EXPECT_EQ(net.num_nodes(), 3);
  EXPECT_EQ(net.edges(), (std::vector<graph::Edge>{{0, 1}, {2, 1}}));
  EXPECT_EQ(net.conductances(), Vector::Ones(2));
  EXPECT_FALSE(net.has_positions());
  const auto pos = read_network(file(
      "pos.json", R"({"format": "plnet-network", "version": 1, "nodes": [[0, 0, 0], [1, 2.5, 3]],
                      "edges": [[0.0, 1]], "conductances": [2]})"));
  EXPECT_EQ(pos.dimension(), 3);
  EXPECT_EQ(pos.positions()(1, 1), 2.5);
  EXPECT_EQ(pos.conductances()[0], 2.0);
}

TEST_F(NetworkIo, EdgeListRoundTripIsExactAndKeepsIsolatedNodes) {
  std::mt19937_64 rng(12);
  const auto connected = testing::random_connected_network(30, 20, 6.0, rng);
  // Two trailing isolated nodes: only the "# nodes N" header can carry them.
  const graph::Network net(32, connected.edges(), connected.conductances());
  for (const std::string name : {"net.txt", "net.edges", "net.EL"}) {
    write_network(net, path(name));
    expect_identical(net, read_network(path(name)));
  }
}

TEST_F(NetworkIo, EdgeListCommentsDefaultsAndNodeCount) {
  const auto net = read_network(file("a.txt",
                                     "# a triangle\n"
                                     "\n"
                                     "0 1   # first edge\n"
                                     "  1\t2\r\n"
                                     "2 0\n"));
  EXPECT_EQ(net.num_nodes(), 3);  // largest index + 1
  EXPECT_EQ(net.num_edges(), 3);
  EXPECT_EQ(net.conductances(), Vector::Ones(3));
  const auto header =
      read_network(file("b.txt", "# nodes are numbered from 0\n# nodes 5\n0 1 2.5\n"));
  EXPECT_EQ(header.num_nodes(), 5);
  EXPECT_EQ(header.conductances()[0], 2.5);
  EXPECT_EQ(read_network(file("c.txt", "# nodes 4\n")).num_edges(), 0);
}

// ------------------------------------------------------------------ JSON errors

TEST_F(NetworkIo, JsonNodeIndexOutOfRange) {
  const std::string m =
      error("net.json", R"({"nodes": 300, "edges": [[0,1],[1,2],[2,3],[412,5]]})");
  expect_contains(m, "edges[3]: node index out of range", "412", "need 0 <= index < 300");
}

TEST_F(NetworkIo, JsonBadConductance) {
  const std::string m =
      error("net.json", R"({"nodes": 3, "edges": [[0,1],[1,2]], "conductances": [1, -1]})");
  expect_contains(m, "conductances[1]: must be finite and > 0 (got -1)");
}

TEST_F(NetworkIo, JsonMalformed) {
  // The stray ']' is the 32nd byte (nlohmann counts from 1), column 19 of line 2.
  const std::string m = error("net.json", "{\"nodes\": 3,\n \"edges\": [[0, 1],]}");
  expect_contains(m, "malformed JSON at byte 32: ", "line 2, column 19", "unexpected ']'");
  expect_contains(error("big.json", R"({"nodes": 2, "edges": [[0, 1]], "conductances": [1e400]})"),
                  "malformed JSON", "1e400");
}

TEST_F(NetworkIo, JsonSelfLoopAndDuplicateEdge) {
  expect_contains(error("net.json", R"({"nodes": 6, "edges": [[0,1],[1,2],[5,5]]})"),
                  "edges[2]: self-loop on node 5");
  expect_contains(error("net.json", R"({"nodes": 6, "edges": [[3,4],[1,2],[4,3]]})"),
                  "edges[2]: duplicate edge [4, 3]");
}

TEST_F(NetworkIo, JsonPositions) {
  expect_contains(error("net.json", R"({"nodes": [[0,0],[1,0],[1,2,3]], "edges": []})"),
                  "nodes[2]: must be a position with 2 coordinates like nodes[0]", "[1,2,3]");
  expect_contains(error("net.json", R"({"nodes": [[0,0,0,0]], "edges": []})"),
                  "nodes[0]: must be a position [x, y] or [x, y, z]", "[0,0,0,0]");
  expect_contains(error("net.json", R"({"nodes": [[0,0],[1,"x"]], "edges": []})"),
                  "nodes[1][1]: must be a number (got \"x\")");
  expect_contains(error("net.json", R"({"nodes": [], "edges": []})"), "nodes: empty array");
  expect_contains(error("net.json", R"({"nodes": 0, "edges": []})"),
                  "nodes: node count must be positive (got 0)");
  expect_contains(error("net.json", R"({"nodes": "ten", "edges": []})"),
                  "nodes: must be a node count", "\"ten\"");
}

TEST_F(NetworkIo, JsonBox) {
  const std::string nodes = R"("nodes": [[0,0],[1,0]], "edges": [[0,1]])";
  expect_contains(error("net.json", "{" + nodes + R"(, "box": [3]})"),
                  "box: wrong length (got 1, need 2, one side per position coordinate)");
  expect_contains(error("net.json", "{" + nodes + R"(, "box": [3, -1]})"),
                  "box[1]: must be finite and > 0 (got -1)");
  expect_contains(error("net.json", "{" + nodes + R"(, "box": [3, "x"]})"),
                  "box[1]: must be a number (got \"x\")");
  expect_contains(error("net.json", "{" + nodes + R"(, "box": 3})"),
                  "box: must be an array of side lengths", "(got 3)");
  expect_contains(error("net.json", "{" + nodes + R"(, "box": []})"),
                  "box: must be an array of side lengths", "(got [])");
  expect_contains(error("net.json", R"({"nodes": 2, "edges": [[0,1]], "box": [1, 1]})"),
                  "box: a periodic box needs node positions");
}

TEST_F(NetworkIo, JsonNonNumbers) {
  expect_contains(error("net.json", R"({"nodes": 2, "edges": [[0,1]], "conductances": ["nan"]})"),
                  "conductances[0]: must be a number (got \"nan\")");
  expect_contains(error("net.json", R"({"nodes": 3, "edges": [[0,1],[1,2.5]]})"),
                  "edges[1][1]: must be an integer (got 2.5)");
  expect_contains(error("net.json", R"({"nodes": 3, "edges": [[0,1],[1,null]]})"),
                  "edges[1][1]: must be an integer (got null)");
  expect_contains(error("net.json", R"({"nodes": 3, "edges": [[0,1,2]]})"),
                  "edges[0]: must be a pair [a, b] (got [0,1,2])");
  expect_contains(error("net.json", R"({"nodes": 3, "edges": [[0,1]], "conductances": 2})"),
                  "conductances: must be an array of numbers (got 2)");
  expect_contains(error("net.json", R"({"nodes": 3, "edges": [[0,1]], "conductances": []})"),
                  "conductances: wrong length (got 0, need 1");
}

TEST_F(NetworkIo, JsonKeysAndHeader) {
  expect_contains(error("net.json", R"({"nodes": 2, "edges": [[0,1]], "conductance": [1]})"),
                  "unknown key \"conductance\"");
  expect_contains(error("net.json", R"({"nodes": 2, "edges": [[0,1]], "edges": []})"),
                  "repeated key \"edges\"");
  expect_contains(error("net.json", R"({"format": "graph", "nodes": 2, "edges": []})"),
                  "format: must be \"plnet-network\" (got \"graph\")");
  expect_contains(error("net.json", R"({"version": 2, "nodes": 2, "edges": []})"),
                  "version: unsupported (got 2, need 1)");
  expect_contains(error("net.json", R"({"edges": []})"), "missing key \"nodes\"");
  expect_contains(error("net.json", R"({"nodes": 2})"), "missing key \"edges\"");
  expect_contains(error("net.json", "[1, 2]"), "top level must be a JSON object (got array)");
}

// ------------------------------------------------------------------ edge-list errors

TEST_F(NetworkIo, EdgeListErrorsNameTheLine) {
  // The largest int64 index: N = index + 1 overflowed (UBSan, found by the edge-list fuzzer).
  expect_contains(error("net.txt", "9223372036854775807 2147483648\n"),
                  "node index too large (got 9223372036854775807)");
  expect_contains(error("net.txt", "0 1\n1 2 3 4\n"),
                  "line 2: expected \"a b\" or \"a b k\" (got 4 fields)");
  expect_contains(error("net.txt", "0 1\n# c\n1 x\n"),
                  "line 3: node index must be an integer (got \"x\")");
  expect_contains(error("net.txt", "0 1 1\n1 2 abc\n"),
                  "line 2: conductance must be a number (got \"abc\")");
  expect_contains(error("net.txt", "0 1 1\n1 2\n"), "line 2: missing conductance (line 1 has one");
  expect_contains(error("net.txt", "0 1\n1 2 2\n"),
                  "line 2: unexpected conductance (line 1 has none");
  expect_contains(error("net.txt", "0 1\n\n5 5\n"), "line 3: self-loop on node 5");
  expect_contains(error("net.txt", "3 4\n1 2\n# x\n4 3\n"), "line 4: duplicate edge [4, 3]");
  expect_contains(error("net.txt", "0 1 1\n1 2 -1\n"),
                  "line 2: conductance must be finite and > 0 (got -1)");
  expect_contains(error("net.txt", "0 1 1\n1 2 nan\n"),
                  "line 2: conductance must be finite and > 0 (got nan)");
  expect_contains(error("net.txt", "# nodes 300\n0 1\n412 5\n"),
                  "line 3: node index out of range (got [412, 5], need 0 <= index < 300)");
  expect_contains(error("net.txt", "0 -1\n"), "line 1: node index out of range (got [0, -1]");
  expect_contains(error("net.txt", "0 1\n# nodes 4\n"), "line 2: \"# nodes N\" must come before");
  expect_contains(error("net.txt", "# nodes 4x\n"),
                  "line 1: \"# nodes N\" needs a positive integer (got \"4x\")");
  expect_contains(error("net.txt", "# only comments\n"), "no edges and no \"# nodes N\" header");
}

TEST_F(NetworkIo, MissingFileAndUnknownExtension) {
  expect_contains(error("net.csv", "0 1\n"), "unknown network file extension (got \".csv\"");
  try {
    read_network(path("absent.json"));
    ADD_FAILURE() << "no error for a missing file";
  } catch (const std::invalid_argument& e) {
    expect_contains(std::string(e.what()), "absent.json: cannot open file");
  }
  EXPECT_THROW(write_network(graph::Network(2, {{0, 1}}), path("net.csv")), std::invalid_argument);
}

}  // namespace
}  // namespace plnet::io
