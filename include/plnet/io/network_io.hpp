#pragma once
/// Reading and writing networks: a versioned JSON format and a plain text edge list.
///
/// JSON ("plnet-network", version 1), one object with the keys
///
///     {"format": "plnet-network", "version": 1,          (both optional on input)
///      "nodes": [[x, y], ...] | [[x, y, z], ...] | N,     positions (2D or 3D) or a node count
///      "box": [L_x, L_y] | [L_x, L_y, L_z],               optional periodic box (see below)
///      "edges": [[a, b], ...],                            0-based node indices, a != b
///      "conductances": [k_0, k_1, ...]}                   optional (all ones), finite and > 0
///
/// Unknown or repeated top-level keys are rejected, so a misspelt key cannot pass silently.
/// "box" makes the network periodic: one side length per position coordinate (so it needs
/// positions), each finite and > 0; bond vectors are then minimum images. Without "box" the
/// network is not periodic.
///
/// Edge list (text), one edge per line, "a b" or "a b k" (either every line gives k or none
/// does; none means all ones). '#' starts a comment. A comment line "# nodes N" before the
/// first edge fixes the node count (otherwise N = largest index + 1, so trailing isolated
/// nodes need the header). The edge list has no positions and hence no box.
///
/// Every error is a std::invalid_argument with one line naming the file, the field or line
/// and the offending value, e.g. "net.json: edges[3]: node index out of range (got [412, 5],
/// need 0 <= index < 300)" or "net.txt: line 12: self-loop on node 5". The network invariants
/// themselves are checked by graph::Network's constructor; the readers only prefix its message
/// with the file name (and, for edge lists, the line).
///
/// Writers go through io::write_atomically and print every double in its shortest exact
/// form, so read(write(net)) reproduces every conductance and coordinate bit for bit.

#include <plnet/graph/network.hpp>

#include <string>

namespace plnet::io {

/// Reads a JSON network file (format above).
graph::Network read_network_json(const std::string& path);

/// Writes `net` as JSON with "format": "plnet-network", "version": 1; "nodes" holds the
/// positions if the network has any, its node count otherwise, and "box" if it is periodic.
void write_network_json(const graph::Network& net, const std::string& path);

/// Reads a text edge list (format above).
graph::Network read_edge_list(const std::string& path);

/// Writes a "# nodes N" header and one "a b k" line per edge. Positions and the box are not
/// written (use JSON to keep them).
void write_edge_list(const graph::Network& net, const std::string& path);

/// Dispatches on the extension (case-insensitive): ".json" is JSON; ".txt", ".edges" and
/// ".el" are edge lists. Any other extension throws std::invalid_argument.
graph::Network read_network(const std::string& path);
void write_network(const graph::Network& net, const std::string& path);

}  // namespace plnet::io
