#pragma once
// Internal: constructors of the concrete backends behind make_solver().
#include <plnet/solver/symmetric_solver.hpp>

#include <cassert>
#include <stdexcept>

namespace plnet::solver {

enum class CholmodMode { kSimplicial, kSupernodal, kAuto };
std::unique_ptr<SymmetricSolver> make_cholmod_solver(CholmodMode mode);
std::unique_ptr<SymmetricSolver> make_eigen_ldlt_solver();
std::unique_ptr<SymmetricSolver> make_dense_solver();
std::unique_ptr<SymmetricSolver> make_static_ldlt_solver(OrderingEffort effort);

}  // namespace plnet::solver
