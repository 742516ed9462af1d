// Random nanowire networks (paper 004, App. K): sticks deposited on a square, one node per
// stick, one edge per junction (pair of intersecting sticks).

#include "generators_detail.hpp"

#include <plnet/graph/generators.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace plnet::graph {

namespace detail {

namespace {

/// Twice the signed area of the triangle (a, b, c): > 0 when c lies left of a -> b.
double orientation(const Point2& a, const Point2& b, const Point2& c) {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/// For c collinear with a and b: is c inside the bounding box of a and b (so on the segment)?
bool within_box(const Point2& a, const Point2& b, const Point2& c) {
  return std::min(a[0], b[0]) <= c[0] && c[0] <= std::max(a[0], b[0]) &&
         std::min(a[1], b[1]) <= c[1] && c[1] <= std::max(a[1], b[1]);
}

int sign(double x) {
  return (x > 0.0) - (x < 0.0);
}

Point2 centre(const Segment& s) {
  return {0.5 * (s.p[0] + s.q[0]), 0.5 * (s.p[1] + s.q[1])};
}

}  // namespace

bool segments_intersect(const Segment& s, const Segment& t) {
  const int o1 = sign(orientation(s.p, s.q, t.p));
  const int o2 = sign(orientation(s.p, s.q, t.q));
  const int o3 = sign(orientation(t.p, t.q, s.p));
  const int o4 = sign(orientation(t.p, t.q, s.q));
  // Proper crossing: each segment's ends lie strictly on opposite sides of the other's line.
  if (o1 * o2 < 0 && o3 * o4 < 0) return true;
  // Touching or collinear: an endpoint lies on the other segment.
  if (o1 == 0 && within_box(s.p, s.q, t.p)) return true;
  if (o2 == 0 && within_box(s.p, s.q, t.q)) return true;
  if (o3 == 0 && within_box(t.p, t.q, s.p)) return true;
  if (o4 == 0 && within_box(t.p, t.q, s.q)) return true;
  return false;
}

Sticks deposit_sticks(Index num_wires, double stick_length, std::uint64_t seed) {
  Rng rng(seed);
  Sticks sticks;
  sticks.centres.resize(static_cast<std::size_t>(num_wires));
  sticks.segments.resize(static_cast<std::size_t>(num_wires));
  const double half = 0.5 * stick_length;
  for (std::size_t i = 0; i < sticks.centres.size(); ++i) {
    const double x = uniform(rng);
    const double y = uniform(rng);
    const double angle = 2.0 * std::numbers::pi * uniform(rng);
    const double dx = half * std::cos(angle), dy = half * std::sin(angle);
    sticks.centres[i] = {x, y};
    sticks.segments[i] = {{x - dx, y - dy}, {x + dx, y + dy}};
  }
  return sticks;
}

std::vector<Edge> crossing_pairs(const std::vector<Segment>& sticks, double stick_length) {
  const auto n = static_cast<Index>(sticks.size());
  if (n < 2) return {};
  std::vector<Point2> centres(sticks.size());
  Point2 lo = centre(sticks[0]), hi = lo;
  for (std::size_t i = 0; i < sticks.size(); ++i) {
    centres[i] = centre(sticks[i]);
    for (int d = 0; d < 2; ++d) {
      lo[d] = std::min(lo[d], centres[i][d]);
      hi[d] = std::max(hi[d], centres[i][d]);
    }
  }
  // Cells no smaller than the stick length; also no more cells than sticks per side squared,
  // so very short sticks do not allocate a huge empty grid.
  const double extent = std::max({hi[0] - lo[0], hi[1] - lo[1], stick_length});
  const double max_side = std::max(1.0, std::floor(std::sqrt(static_cast<double>(n))));
  // The 1e-9 margin keeps cells strictly larger than a stick even after rounding of the ends.
  const double min_cell = stick_length * (1.0 + 1e-9);
  const auto side = static_cast<Index>(std::clamp(std::floor(extent / min_cell), 1.0, max_side));
  const double cell_size = extent / static_cast<double>(side);
  auto cell_of = [&](double x, double origin) {
    // Clamping is monotone and never moves two points further apart than one cell, so the
    // 3 x 3 block stays sufficient (it also absorbs the rounding at the upper edge).
    return std::clamp(static_cast<Index>((x - origin) / cell_size), Index{0}, side - 1);
  };
  // Counting sort of the sticks into cells: cell_start[c] .. cell_start[c + 1] index `order`.
  std::vector<Index> cell(sticks.size());
  std::vector<Index> cell_start(static_cast<std::size_t>(side * side + 1), 0);
  for (std::size_t i = 0; i < sticks.size(); ++i) {
    cell[i] = cell_of(centres[i][0], lo[0]) * side + cell_of(centres[i][1], lo[1]);
    ++cell_start[static_cast<std::size_t>(cell[i] + 1)];
  }
  for (std::size_t c = 1; c < cell_start.size(); ++c) cell_start[c] += cell_start[c - 1];
  std::vector<Index> order(sticks.size());
  std::vector<Index> fill(cell_start.begin(), cell_start.end() - 1);
  for (std::size_t i = 0; i < sticks.size(); ++i)
    order[static_cast<std::size_t>(fill[static_cast<std::size_t>(cell[i])]++)] =
        static_cast<Index>(i);

  std::vector<Edge> pairs;
  for (Index i = 0; i < n; ++i) {
    const Index cx = cell[static_cast<std::size_t>(i)] / side;
    const Index cy = cell[static_cast<std::size_t>(i)] % side;
    for (Index gx = std::max<Index>(cx - 1, 0); gx <= std::min(cx + 1, side - 1); ++gx) {
      for (Index gy = std::max<Index>(cy - 1, 0); gy <= std::min(cy + 1, side - 1); ++gy) {
        const auto c = static_cast<std::size_t>(gx * side + gy);
        for (Index k = cell_start[c]; k < cell_start[c + 1]; ++k) {
          const Index j = order[static_cast<std::size_t>(k)];
          if (j > i && segments_intersect(sticks[static_cast<std::size_t>(i)],
                                          sticks[static_cast<std::size_t>(j)]))
            pairs.push_back({i, j});
        }
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const Edge& x, const Edge& y) { return x.a != y.a ? x.a < y.a : x.b < y.b; });
  return pairs;
}

}  // namespace detail

Network random_nanowires(const NanowireOptions& options) {
  options.validate();
  const auto sticks = detail::deposit_sticks(options.num_wires, options.stick_length, options.seed);
  Matrix centres(options.num_wires, 2);
  for (Index i = 0; i < options.num_wires; ++i) {
    centres(i, 0) = sticks.centres[static_cast<std::size_t>(i)][0];
    centres(i, 1) = sticks.centres[static_cast<std::size_t>(i)][1];
  }
  return largest_component(Network(options.num_wires,
                                   detail::crossing_pairs(sticks.segments, options.stick_length),
                                   Vector(), std::move(centres)));
}

}  // namespace plnet::graph
