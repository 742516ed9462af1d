#pragma once
/// Internals shared by the network generators (src/graph/*.cpp) and their tests: portable
/// random draws and the stick geometry of the nanowire model. Not part of the public API.

#include <plnet/core/types.hpp>
#include <plnet/graph/generators.hpp>
#include <plnet/graph/network.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace plnet::graph::detail {

/// The generators' random engine. std::mt19937_64's output sequence is fixed by the standard;
/// the std:: distributions are not, so the draws below are written out by hand to make a seed
/// give the same network on every standard library.
using Rng = std::mt19937_64;

/// Uniform double in [0, 1) from the top 53 bits of one draw (every value a multiple of 2^-53).
inline double uniform(Rng& rng) {
  return static_cast<double>(rng() >> 11U) * 0x1.0p-53;
}

/// Uniform integer in [0, n), n >= 1, without modulo bias (rejection of the incomplete top
/// block of 2^64 % n values, which almost never triggers).
inline Index uniform_index(Rng& rng, Index n) {
  const auto range = static_cast<std::uint64_t>(n);
  const std::uint64_t reject_from = Rng::max() - Rng::max() % range;
  std::uint64_t x = rng();
  while (x >= reject_from) x = rng();
  return static_cast<Index>(x % range);
}

/// Fisher-Yates shuffle driven by uniform_index (std::shuffle's draws are unspecified).
template <typename T>
void shuffle(std::vector<T>& items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform_index(rng, static_cast<Index>(i)));
    std::swap(items[i - 1], items[j]);
  }
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
