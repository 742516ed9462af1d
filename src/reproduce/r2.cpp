// R2: 000 Fig. 5a-d. The five-target regression of 000 eq. (22) on a 300-node jammed network:
// ten stiff cost modes (5 targets x 2 sources) and the same susceptibility correlation as R1.
#include "regression.hpp"

namespace plnet::reproduce {

Reproduction r2_reproduction() {
  return {"R2", "000", "Fig. 5a-d",
          "five-target linear regression (eq. 22): ten stiff modes and susceptibility",
          [](Context& context) { return detail::run_regression(context, "R2"); }};
}

}  // namespace plnet::reproduce
