// Jammed packings of bidisperse soft disks / spheres: random start, FIRE energy minimisation in
// a periodic box, then the contact network without rattlers.
//
// Energy (harmonic contacts, sigma_ij = R_i + R_j):
//   E = sum_{i<j, r_ij < sigma_ij} (1 - r_ij / sigma_ij)^2 / 2,
//   F_i = sum_j (1 - r_ij / sigma_ij) / sigma_ij * (x_i - x_j) / r_ij   (repulsive).
// Unit masses; lengths in units of the small radius.

#include "generators_detail.hpp"

#include <plnet/core/error.hpp>
#include <plnet/graph/generators.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace plnet::graph {

namespace {

// FIRE, Bitzek et al., PRL 97, 170201 (2006), with their recommended parameters. The time step
// is set by the stiffest contact: d^2E/dr^2 = 1/sigma^2 <= 1/4 and ~6 contacts give
// omega_max ~ 1.5, so dt_max = 1 is near the integrator's stability limit, which is where FIRE
// wants it (it backs off by itself when it overshoots).
constexpr int kFireMinSteps = 5;
constexpr double kFireDtIncrease = 1.1;
constexpr double kFireDtDecrease = 0.5;
constexpr double kFireAlphaStart = 0.1;
constexpr double kFireAlphaDecrease = 0.99;
constexpr double kFireDt0 = 0.1;
constexpr double kFireDtMax = 10.0 * kFireDt0;

/// Verlet skin in units of the small radius: large enough that rebuilds are rare once FIRE
/// settles, small enough that the pair list stays short.
constexpr double kSkin = 0.5;

/// The periodic image of a coordinate difference of two wrapped positions that is nearest to 0.
/// Wrapped coordinates differ by less than L, so one shift suffices.
inline double minimum_image(double v, double box) {
  if (v > 0.5 * box) return v - box;
  if (v < -0.5 * box) return v + box;
  return v;
}

/// Periodic cell list: cells of side >= the largest pair cutoff, so every pair within its cutoff
/// lies in the same or adjacent cells. With fewer than 3 cells per side the 3^D
/// stencil would revisit cells, so small boxes fall back to all pairs (side_ == 0).
template <int D>
class CellList {
 public:
  CellList(double box, double max_cutoff, Index num_particles) : box_(box) {
    const auto side = static_cast<Index>(std::floor(box / max_cutoff));
    if (side < 3) return;
    side_ = side;
    cell_size_ = box / static_cast<double>(side);
    Index num_cells = 1;
    for (int d = 0; d < D; ++d) num_cells *= side;
    start_.resize(static_cast<std::size_t>(num_cells + 1));
    order_.resize(static_cast<std::size_t>(num_particles));
    cell_.resize(static_cast<std::size_t>(num_particles));
    build_stencils(num_cells);
  }

  /// Re-bins the particles; `x` is num_particles x D, row-major, wrapped into [0, L).
  void rebuild(const std::vector<double>& x) {
    if (side_ == 0) return;
    std::fill(start_.begin(), start_.end(), 0);
    for (std::size_t i = 0; i < cell_.size(); ++i) {
      Index c = 0;
      for (int d = 0; d < D; ++d) {
        const auto k = static_cast<Index>(x[i * D + d] / cell_size_);
        c = c * side_ + std::min(k, side_ - 1);
      }
      cell_[i] = c;
      ++start_[static_cast<std::size_t>(c + 1)];
    }
    for (std::size_t c = 1; c < start_.size(); ++c) start_[c] += start_[c - 1];
    std::vector<Index> fill(start_.begin(), start_.end() - 1);
    for (std::size_t i = 0; i < cell_.size(); ++i)
      order_[static_cast<std::size_t>(fill[static_cast<std::size_t>(cell_[i])]++)] =
          static_cast<Index>(i);
  }

  /// Calls visit(i, j, dx, r2) for every pair i < j closer than `cutoff(i, j)`, with
  /// dx = x_i - x_j the minimum-image separation and r2 = |dx|^2.
  template <typename Cutoff, typename Visit>
  void for_each_close_pair(const std::vector<double>& x, Cutoff cutoff, Visit visit) const {
    const auto n = static_cast<Index>(x.size() / D);
    auto test = [&](Index i, Index j) {
      std::array<double, D> dx;
      double r2 = 0.0;
      for (int d = 0; d < D; ++d) {
        const double v = minimum_image(
            x[static_cast<std::size_t>(i * D + d)] - x[static_cast<std::size_t>(j * D + d)], box_);
        dx[static_cast<std::size_t>(d)] = v;
        r2 += v * v;
      }
      const double s = cutoff(i, j);
      if (r2 < s * s) visit(i, j, dx, r2);
    };
    if (side_ == 0) {
      for (Index i = 0; i < n; ++i)
        for (Index j = i + 1; j < n; ++j) test(i, j);
      return;
    }
    constexpr std::size_t kStencil = D == 2 ? 9 : 27;
    for (Index i = 0; i < n; ++i) {
      const auto c = static_cast<std::size_t>(cell_[static_cast<std::size_t>(i)]);
      for (std::size_t s = 0; s < kStencil; ++s) {
        const auto nc = static_cast<std::size_t>(stencil_[c * kStencil + s]);
        for (Index k = start_[nc]; k < start_[nc + 1]; ++k) {
          const Index j = order_[static_cast<std::size_t>(k)];
          if (j > i) test(i, j);
        }
      }
    }
  }

 private:
  void build_stencils(Index num_cells) {
    for (Index c = 0; c < num_cells; ++c) {
      // Cell ids are row-major in the D integer coordinates (coordinate 0 most significant).
      std::array<Index, D> coord;
      Index rest = c;
      for (int d = D - 1; d >= 0; --d) {
        coord[static_cast<std::size_t>(d)] = rest % side_;
        rest /= side_;
      }
      // All 3^D offsets in {-1, 0, 1}^D, wrapped periodically (distinct because side_ >= 3).
      for (int code = 0; code < (D == 2 ? 9 : 27); ++code) {
        Index id = 0;
        int rem = code;
        for (int d = 0; d < D; ++d) {
          const Index shifted =
              (coord[static_cast<std::size_t>(d)] + (rem % 3) - 1 + side_) % side_;
          rem /= 3;
          id = id * side_ + shifted;
        }
        stencil_.push_back(id);
      }
    }
  }

  double box_;
  Index side_ = 0;
  double cell_size_ = 0.0;
  std::vector<Index> start_, order_, cell_, stencil_;
};

/// Particle positions as a fixed start point plus an accumulated displacement, both num_particles
/// x D row-major. Why not just wrapped coordinates: those are quantised to ulp(L) (~1e-14 for
/// L ~ 100), which puts a floor of about that size under the residual forces and makes a force
/// tolerance of 1e-14 unreachable beyond a few thousand particles. Here a pair separation is
/// (start_i - start_j + image shift) + (u_i - u_j): the first bracket is rounded, but to a
/// constant, so the energy stays a smooth function of the small displacements u, which carry
/// ~1e-15 absolute resolution whatever the box size.
struct Configuration {
  double box = 0.0;
  std::vector<double> start;         ///< wrapped into [0, L)
  std::vector<double> displacement;  ///< from start, not wrapped

  /// Minimum-image separation x_i - x_j (one coordinate), for coordinate indices ti, tj.
  double separation(std::size_t ti, std::size_t tj) const {
    const double raw = start[ti] - start[tj];
    const double du = displacement[ti] - displacement[tj];
    const double total = raw + du;
    if (std::abs(total) <= 0.5 * box) return total;
    return (raw - box * std::nearbyint(total / box)) + du;
  }

  /// Positions wrapped into [0, L)^D.
  std::vector<double> wrapped() const {
    std::vector<double> x(start.size());
    for (std::size_t k = 0; k < x.size(); ++k) {
      double xk = start[k] + displacement[k];
      xk -= box * std::floor(xk / box);
      x[k] = xk < box ? xk : 0.0;  // a tiny negative xk rounds up to exactly box
    }
    return x;
  }
};

/// Verlet neighbour list: the pairs closer than sigma_ij + skin at the last build. It stays
/// complete while no particle has moved more than skin / 2 since (two particles then close in by
/// at most skin), so the cell list is only consulted at rebuilds, which become rare as FIRE
/// settles; the force loop then runs over a short contiguous pair list.
template <int D>
class NeighbourList {
 public:
  NeighbourList(double box, const std::vector<double>& radius, double skin)
      : skin_(skin),
        radius_(radius),
        cells_(box, 2.0 * *std::max_element(radius.begin(), radius.end()) + skin,
               static_cast<Index>(radius.size())) {}

  /// Rebuilds when some particle has moved more than skin / 2 since the last build.
  void update(const Configuration& config) {
    double max2 = 0.0;
    for (std::size_t i = 0; i < built_at_.size(); i += D) {
      double m2 = 0.0;
      for (std::size_t d = 0; d < D; ++d) {
        const double m = config.displacement[i + d] - built_at_[i + d];
        m2 += m * m;
      }
      max2 = std::max(max2, m2);
    }
    if (4.0 * max2 > skin_ * skin_) build(config);
  }

  void build(const Configuration& config) {
    const std::vector<double> x = config.wrapped();
    cells_.rebuild(x);
    pairs_.clear();
    cells_.for_each_close_pair(
        x, [&](Index i, Index j) { return sigma(i, j) + skin_; },
        [&](Index i, Index j, const std::array<double, D>&, double) {
          pairs_.push_back({i, j});
        });
    built_at_ = config.displacement;
  }

  /// Calls visit(i, j, dx, r, sigma_ij) for every contact (0 < r_ij < sigma_ij) in list order,
  /// with dx = x_i - x_j (minimum image).
  template <typename Visit>
  void for_each_contact(const Configuration& config, Visit visit) const {
    for (const auto& [i, j] : pairs_) {
      const auto ti = static_cast<std::size_t>(i * D), tj = static_cast<std::size_t>(j * D);
      std::array<double, D> dx;
      double r2 = 0.0;
      for (std::size_t d = 0; d < D; ++d) {
        dx[d] = config.separation(ti + d, tj + d);
        r2 += dx[d] * dx[d];
      }
      const double s = sigma(i, j);
      // r2 == 0: coincident centres have no direction (measure zero from a random start).
      if (r2 < s * s && r2 > 0.0) visit(i, j, dx, std::sqrt(r2), s);
    }
  }

  /// Forces (num_particles x D, row-major) of the harmonic contact energy; returns max_i |F_i|.
  double forces(const Configuration& config, std::vector<double>& force) const {
    std::fill(force.begin(), force.end(), 0.0);
    for_each_contact(
        config, [&](Index i, Index j, const std::array<double, D>& dx, double r, double s) {
          const double magnitude_over_r = (1.0 - r / s) / (s * r);
          const auto ti = static_cast<std::size_t>(i * D), tj = static_cast<std::size_t>(j * D);
          for (std::size_t d = 0; d < D; ++d) {
            force[ti + d] += magnitude_over_r * dx[d];
            force[tj + d] -= magnitude_over_r * dx[d];
          }
        });
    double max2 = 0.0;
    for (std::size_t i = 0; i < force.size(); i += D) {
      double f2 = 0.0;
      for (std::size_t d = 0; d < D; ++d) f2 += force[i + d] * force[i + d];
      max2 = std::max(max2, f2);
    }
    return std::sqrt(max2);
  }

  /// The contacts (r_ij < sigma_ij, i < j), sorted; the list must be up to date.
  std::vector<Edge> contacts(const Configuration& config) const {
    std::vector<Edge> result;
    for_each_contact(config, [&](Index i, Index j, const std::array<double, D>&, double, double) {
      result.push_back({i, j});
    });
    std::sort(result.begin(), result.end(),
              [](const Edge& p, const Edge& q) { return p.a != q.a ? p.a < q.a : p.b < q.b; });
    return result;
  }

 private:
  double sigma(Index i, Index j) const {
    return radius_[static_cast<std::size_t>(i)] + radius_[static_cast<std::size_t>(j)];
  }

  double skin_;
  const std::vector<double>& radius_;
  CellList<D> cells_;
  std::vector<std::array<Index, 2>> pairs_;
  std::vector<double> built_at_;  ///< displacements at the last build
};

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

/// FIRE on config.displacement; leaves `neighbours` up to date. Throws std::runtime_error when
/// the force tolerance is not reached within options.max_iterations.
template <int D>
void minimise_fire(Configuration& config, NeighbourList<D>& neighbours,
                   const JammedOptions& options) {
  std::vector<double>& u = config.displacement;
  std::vector<double> v(u.size(), 0.0), f(u.size(), 0.0);
  double dt = kFireDt0, alpha = kFireAlphaStart;
  int steps_downhill = 0;
  neighbours.build(config);
  double max_force = neighbours.forces(config, f);
  for (int it = 0; it < options.max_iterations && max_force >= options.energy_tolerance; ++it) {
    const double power = dot(f, v);
    if (power >= 0.0) {
      // Mix the velocity towards the force direction, keeping its magnitude.
      const double v_norm = std::sqrt(dot(v, v)), f_norm = std::sqrt(dot(f, f));
      const double scale = alpha * v_norm / f_norm;
      for (std::size_t k = 0; k < v.size(); ++k) v[k] = (1.0 - alpha) * v[k] + scale * f[k];
      if (steps_downhill > kFireMinSteps) {
        dt = std::min(dt * kFireDtIncrease, kFireDtMax);
        alpha *= kFireAlphaDecrease;
      }
      ++steps_downhill;
    } else {
      // Uphill: stop, shrink the step and restart the mixing.
      std::fill(v.begin(), v.end(), 0.0);
      dt *= kFireDtDecrease;
      alpha = kFireAlphaStart;
      steps_downhill = 0;
    }
    // Semi-implicit Euler with unit masses.
    for (std::size_t k = 0; k < u.size(); ++k) {
      v[k] += dt * f[k];
      u[k] += dt * v[k];
    }
    neighbours.update(config);
    max_force = neighbours.forces(config, f);
  }
  if (max_force < options.energy_tolerance) return;
  throw std::runtime_error(concat("jammed_packing: FIRE did not converge in ",
                                  options.max_iterations, " iterations (max |force| = ", max_force,
                                  ", need < energy_tolerance = ", options.energy_tolerance,
                                  "); raise max_iterations or energy_tolerance"));
}

/// Removes rattlers (fewer than d + 1 contacts) until none remain; returns the kept flags.
std::vector<char> rigid_particles(Index num_particles, const std::vector<Edge>& contacts,
                                  int dimension) {
  std::vector<std::vector<Index>> adj(static_cast<std::size_t>(num_particles));
  for (const auto& e : contacts) {
    adj[static_cast<std::size_t>(e.a)].push_back(e.b);
    adj[static_cast<std::size_t>(e.b)].push_back(e.a);
  }
  std::vector<Index> degree(adj.size());
  std::vector<char> kept(adj.size(), 1);
  std::vector<Index> to_remove;
  for (std::size_t i = 0; i < adj.size(); ++i) {
    degree[i] = static_cast<Index>(adj[i].size());
    if (degree[i] < dimension + 1) {
      kept[i] = 0;
      to_remove.push_back(static_cast<Index>(i));
    }
  }
  // Removing a rattler can turn its neighbours into rattlers: propagate.
  while (!to_remove.empty()) {
    const Index i = to_remove.back();
    to_remove.pop_back();
    for (Index j : adj[static_cast<std::size_t>(i)]) {
      const auto sj = static_cast<std::size_t>(j);
      if (kept[sj] && --degree[sj] < dimension + 1) {
        kept[sj] = 0;
        to_remove.push_back(j);
      }
    }
  }
  return kept;
}

template <int D>
Network jammed_packing_in(const JammedOptions& options) {
  const Index n = options.num_particles;
  const double box = detail::jammed_box_side(options);
  // First ceil(n/2) particles small (radius 1), the rest large; positions are random anyway.
  std::vector<double> radius(static_cast<std::size_t>(n), 1.0);
  for (Index i = n - n / 2; i < n; ++i) radius[static_cast<std::size_t>(i)] = options.radius_ratio;

  Configuration config;
  config.box = box;
  config.start.resize(static_cast<std::size_t>(n * D));
  config.displacement.assign(config.start.size(), 0.0);
  detail::Rng rng(options.seed);
  for (auto& xk : config.start) xk = box * detail::uniform(rng);

  NeighbourList<D> neighbours(box, radius, kSkin);
  minimise_fire<D>(config, neighbours, options);
  const std::vector<Edge> contacts = neighbours.contacts(config);
  const std::vector<double> x = config.wrapped();

  const std::vector<char> kept = rigid_particles(n, contacts, D);
  std::vector<Index> new_index(static_cast<std::size_t>(n), -1);
  Index count = 0;
  for (Index i = 0; i < n; ++i)
    if (kept[static_cast<std::size_t>(i)]) new_index[static_cast<std::size_t>(i)] = count++;
  if (count == 0)
    throw std::runtime_error(concat(
        "jammed_packing: every particle is a rattler (packing_fraction ", options.packing_fraction,
        " is probably below jamming, ~0.84 in 2D and ~0.64 in 3D)"));
  std::vector<Edge> edges;
  for (const auto& e : contacts) {
    const Index a = new_index[static_cast<std::size_t>(e.a)];
    const Index b = new_index[static_cast<std::size_t>(e.b)];
    if (a >= 0 && b >= 0) edges.push_back({a, b});  // renumbering keeps the sorted order
  }
  Matrix positions(count, D);
  for (Index i = 0; i < n; ++i)
    if (const Index k = new_index[static_cast<std::size_t>(i)]; k >= 0)
      for (int d = 0; d < D; ++d) positions(k, d) = x[static_cast<std::size_t>(i * D + d)];
  // Rattlers dropped: record where each kept particle came from, so that the network says how
  // its indices map to the packing's (largest_component composes its own drop with this).
  std::vector<Index> source;
  if (count < n)
    for (Index i = 0; i < n; ++i)
      if (new_index[static_cast<std::size_t>(i)] >= 0) source.push_back(i);
  return largest_component(
      Network(count, std::move(edges), Vector(), std::move(positions), Vector::Constant(D, box))
          .with_source_nodes(std::move(source)));
}

}  // namespace

namespace detail {

double jammed_box_side(const JammedOptions& options) {
  const Index n_large = options.num_particles / 2;
  const Index n_small = options.num_particles - n_large;
  const double d = options.dimension;
  const double unit_ball = options.dimension == 2 ? std::numbers::pi : 4.0 * std::numbers::pi / 3.0;
  const double volume =
      unit_ball * (static_cast<double>(n_small) +
                   static_cast<double>(n_large) * std::pow(options.radius_ratio, d));
  return std::pow(volume / options.packing_fraction, 1.0 / d);
}

}  // namespace detail

Network jammed_packing(const JammedOptions& options) {
  options.validate();
  return options.dimension == 2 ? jammed_packing_in<2>(options) : jammed_packing_in<3>(options);
}

}  // namespace plnet::graph
