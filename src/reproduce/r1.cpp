// R1: 000 Figs. 1 and 4. A 300-node jammed resistor network trained by Coupled Learning for
// the two-source, two-target linear map of 000 eq. (1); then the cost Hessian's spectrum
// before and after training, its stiff modes, and the susceptibility norms ||s_i||^2.
#include "common.hpp"
#include "regression.hpp"

namespace plnet::reproduce {

Reproduction r1_reproduction() {
  return {"R1", "000", "Figs. 1, 4",
          "two-target linear regression on a jammed network: stiff cost modes and susceptibility",
          [](Context& context) { return detail::run_regression(context, "R1"); }};
}

}  // namespace plnet::reproduce
