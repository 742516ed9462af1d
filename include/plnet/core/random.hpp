#pragma once
/// Portable random draws. std::mt19937_64's output sequence is fixed by the standard, but the
/// std:: distributions are not, so every draw plnet makes goes through these functions: the
/// same seed gives the same networks, data and training runs on every standard library.

#include <plnet/core/types.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace plnet::random {

using Engine = std::mt19937_64;

/// Uniform double in [0, 1) from the top 53 bits of one draw (every value a multiple of 2^-53).
inline double uniform(Engine& engine) {
  return static_cast<double>(engine() >> 11U) * 0x1.0p-53;
}

inline double uniform(Engine& engine, double low, double high) {
  return low + (high - low) * uniform(engine);
}

/// Uniform integer in [0, n), n >= 1, without modulo bias: the incomplete top block of
/// 2^64 mod n values is rejected (probability below n / 2^64).
inline Index uniform_index(Engine& engine, Index n) {
  const auto range = static_cast<std::uint64_t>(n);
  const std::uint64_t reject_from = Engine::max() - Engine::max() % range;
  std::uint64_t x = engine();
  while (x >= reject_from) x = engine();
  return static_cast<Index>(x % range);
}

/// Standard normal by Marsaglia's polar method (no cached second value, so no hidden state).
inline double normal(Engine& engine) {
  double u = 0.0;
  double s = 0.0;
  do {
    u = 2.0 * uniform(engine) - 1.0;
    const double v = 2.0 * uniform(engine) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return u * std::sqrt(-2.0 * std::log(s) / s);
}

/// Fisher-Yates shuffle driven by uniform_index (std::shuffle's draws are unspecified).
template <typename T>
void shuffle(std::vector<T>& items, Engine& engine) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform_index(engine, static_cast<Index>(i)));
    std::swap(items[i - 1], items[j]);
  }
}

/// A seed for item `index` of a family fixed by `base` (the realisations of an ensemble, the
/// seeded parts of one experiment): two rounds of splitmix64's finaliser over (base, index),
/// so neighbouring bases and indices give unrelated streams. The result fits in 62 bits (it
/// survives a round trip through a signed TOML integer).
inline std::uint64_t derive_seed(std::uint64_t base, std::uint64_t index) {
  auto mix = [](std::uint64_t z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  };
  return mix(mix(base) ^ index) >> 2U;
}

}  // namespace plnet::random
