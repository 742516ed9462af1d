#pragma once
/// Ensembles of independent realisations run in parallel (physics.md section 7: 50-300
/// realisations in the papers). Realisation i gets the seed random::derive_seed(base_seed, i),
/// whatever thread runs it, and its result is stored at index i: the output is bit-identical
/// for any thread count (tested in tests/reproduce/ensemble_test.cpp).

#include <plnet/core/random.hpp>
#include <plnet/core/types.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace plnet::reproduce {

/// The thread count to use: `requested` if > 0, else std::thread::hardware_concurrency()
/// (at least 1).
inline int resolve_threads(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

/// Runs `realisation(i, seed_i)` for i = 0..n-1 on `threads` std::threads (0: hardware
/// concurrency) and returns the results in index order. seed_i = random::derive_seed(base_seed,
/// i). Work is handed out one index at a time (realisations may differ in cost). The callable
/// must not touch shared mutable state (HDF5 in particular is not thread-safe: write results
/// after the ensemble returns). If any realisation throws, the remaining ones are skipped and
/// the exception of the lowest failing index among those that ran is rethrown. Result must be
/// default-constructible or movable into std::optional.
template <typename F>
auto run_ensemble(Index n, std::uint64_t base_seed, int threads, F&& realisation)
    -> std::vector<decltype(realisation(Index{}, std::uint64_t{}))> {
  using Result = decltype(realisation(Index{}, std::uint64_t{}));
  if (n < 0)
    throw std::invalid_argument("run_ensemble: n must be >= 0 (got " + std::to_string(n) + ")");
  std::vector<std::optional<Result>> slots(static_cast<std::size_t>(n));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  std::atomic<Index> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (Index i = next++; i < n && !failed.load(); i = next++) {
      try {
        slots[static_cast<std::size_t>(i)].emplace(
            realisation(i, random::derive_seed(base_seed, static_cast<std::uint64_t>(i))));
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
        failed = true;
      }
    }
  };
  const int count =
      static_cast<int>(std::min<Index>(resolve_threads(threads), std::max<Index>(n, 1)));
  if (count <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(count));
    for (int t = 0; t < count; ++t) pool.emplace_back(worker);
    for (auto& thread : pool) thread.join();
  }
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);
  std::vector<Result> out;
  out.reserve(slots.size());
  for (auto& slot : slots) out.push_back(std::move(*slot));
  return out;
}

}  // namespace plnet::reproduce
