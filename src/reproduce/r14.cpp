// R14: 003 App. E, Fig. 9. Five random constraint tasks on N = 20 node networks, learned
// without noise, with additive Gaussian noise on every update, and by SGD (one task per step)
// with desynchronous updates (10% of the parameters per step). The trend rows are R10's
// (detail::learning_trends, per part); R14 adds 003's error floor: the noisy runs learn (error
// down >= 2 decades) but stop far above the noiseless runs, which reach round-off.
#include "common.hpp"

#include <plnet/core/error.hpp>

namespace plnet::reproduce {
namespace {

using detail::text;

CheckTable run(Context& context) {
  std::map<std::string, detail::LearningTrendSummary> summary;
  CheckTable table = detail::learning_trends(context, "R14", &summary);
  require(summary.count("clean") && summary.count("noisy"), context.config.path(),
          "R14 needs the parts 'clean' and 'noisy' ([reproduce] variants)");
  const double clean = summary["clean"].final_error, noisy = summary["noisy"].final_error;
  table.checks.push_back(check_at_least(
      "noisy / clean: median final error", noisy / std::max(clean, 1e-300), 1e3,
      "noise in the learning rule produces a floor in the achievable error (003 Fig. 9a, b)",
      "'floor' read as at least 3 decades above the noiseless runs; median final error clean " +
          text(clean) + ", noisy " + text(noisy) + " (noise sd 5e-3 alpha per update)"));
  return table;
}

}  // namespace

Reproduction r14_reproduction() {
  return {"R14", "003", "App. E, Fig. 9",
          "noisy, stochastic and desynchronous learning: an error floor, the physical effects "
          "persist",
          run};
}

}  // namespace plnet::reproduce
