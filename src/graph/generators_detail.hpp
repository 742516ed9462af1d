#pragma once
/// Internals shared by the network generators (src/graph/*.cpp) and their tests: portable
/// random draws and the stick geometry of the nanowire model. Not part of the public API.

#include <plnet/core/random.hpp>
#include <plnet/core/types.hpp>
#include <plnet/graph/generators.hpp>
#include <plnet/graph/network.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace plnet::graph::detail {

/// The generators draw through core/random.hpp (portable across standard libraries).
using Rng = random::Engine;
using random::shuffle;
using random::uniform;
using random::uniform_index;

/// n points uniform in the unit square (n x 2), drawn x then y per point.
inline Matrix uniform_points(Rng& rng, Index n) {
  Matrix points(n, 2);
  for (Index i = 0; i < n; ++i) {
    points(i, 0) = uniform(rng);
    points(i, 1) = uniform(rng);
  }
  return points;
}

/// Side L of the periodic box of a jammed packing: the particles' total volume over L^d equals
/// options.packing_fraction. Assumes options.dimension is 2 or 3 (no other validation).
double jammed_box_side(const JammedOptions& options);

using Point2 = std::array<double, 2>;

/// A closed segment from `p` to `q`.
struct Segment {
  Point2 p;
  Point2 q;
};

/// True when the closed segments share at least one point (crossings, an endpoint touching the
/// other segment, collinear overlap). Orientation tests in double precision; exact degeneracies
/// have probability zero for random sticks, and are still answered correctly when the inputs
/// make the orientation determinants exactly zero.
bool segments_intersect(const Segment& s, const Segment& t);

/// Sticks of the nanowire model: centres and the segments around them.
struct Sticks {
  std::vector<Point2> centres;
  std::vector<Segment> segments;
};

/// 004 App. K deposition: `num_wires` sticks of length `stick_length`, centre uniform in the
/// unit square, angle uniform in [0, 2 pi), drawn in that order (x, y, angle) per stick from a
/// std::mt19937_64 seeded with `seed`. The stick ends may stick out of the square.
Sticks deposit_sticks(Index num_wires, double stick_length, std::uint64_t seed);

/// Every intersecting pair (i < j) of sticks, all of length <= `stick_length`, sorted
/// lexicographically. Uses a uniform grid over the centres with cells no smaller than
/// `stick_length`: intersecting sticks have centres at most `stick_length` apart, so only the
/// 3 x 3 block of cells around a stick needs testing.
std::vector<Edge> crossing_pairs(const std::vector<Segment>& sticks, double stick_length);

}  // namespace plnet::graph::detail
