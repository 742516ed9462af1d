#pragma once
/// What a network is trained to do, independent of the data: which conditions are fixed
/// (grounds, constant sources), which input channels carry a sample's values, and which linear
/// readouts of the state are its outputs.
///
/// In linear response the free state of sample s is x_s = X a_s with a_s = [u_s; 1]: one unit
/// response per input channel plus the response to the fixed conditions (the last column).
/// That superposition is what makes a training step's cost independent of the batch size.

#include <plnet/physics/boundary_conditions.hpp>
#include <plnet/physics/model.hpp>

#include <string>
#include <vector>

namespace plnet::learning {

enum class InputKind {
  kHold,        ///< the channel value is the held value of one dof (a voltage source)
  kInjection,   ///< the value scales a force pattern sum_j c_j e_{dof_j} (currents, forces)
  kEdgeSource,  ///< the value is an ideal source in series with one edge (paper 004)
};

struct InputChannel {
  InputKind kind = InputKind::kHold;
  /// kHold: one dof. kInjection: the pattern's dofs. kEdgeSource: one edge index.
  std::vector<Index> targets;
  /// kInjection: pattern coefficients (same length as targets). kHold, kEdgeSource: at most
  /// one, the channel's gain (empty: 1): the sample value u is held or sourced as gain * u
  /// (004's input gain gamma, eq. 20; [task] input_gain multiplies every coefficient).
  std::vector<double> coefficients;
  std::string name;
};

/// A linear readout y = sum_j c_j x_{dof_j} (+ offset): a node value, a difference across a
/// node pair, or the drop across an edge.
struct Readout {
  std::vector<Index> dofs;
  std::vector<double> coefficients;
  std::string name;
  Index edge = -1;  ///< the edge of an edge_readout (needed by 004's two-phase rule), else -1
};

InputChannel hold_input(Index dof, std::string name = {});
InputChannel injection_input(std::vector<Index> dofs, std::vector<double> coefficients,
                             std::string name = {});
InputChannel edge_source_input(Index edge, std::string name = {});
Readout node_readout(Index dof, std::string name = {});
Readout difference_readout(Index dof_a, Index dof_b, std::string name = {});
/// b_e . x: the drop across edge e (resistor) or its extension (spring).
Readout edge_readout(const physics::LinearModel& model, Index edge, std::string name = {});

struct Task {
  /// Conditions with the same value for every sample (grounds, +-1 reference nodes, constant
  /// injections). Their held dofs and the input holds together form the constraint structure.
  physics::BoundaryConditions fixed;
  std::vector<InputChannel> inputs;
  std::vector<Readout> outputs;

  Index num_inputs() const { return static_cast<Index>(inputs.size()); }
  Index num_outputs() const { return static_cast<Index>(outputs.size()); }

  /// Throws std::invalid_argument on: indices out of range, an input hold on a fixed dof, an
  /// output that reads only held dofs ("a target that is also a source"), edge sources on a
  /// node network, and anything physics::validate rejects for the full structure.
  void validate(const physics::LinearModel& model) const;

  /// The boundary conditions of one sample: fixed conditions plus the channels at `values`
  /// (size num_inputs()); `include_fixed` = false zeroes every fixed value (unit responses).
  physics::BoundaryConditions conditions(const Vector& values, bool include_fixed = true) const;
};

}  // namespace plnet::learning
