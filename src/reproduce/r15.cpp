// R15: 004 Figs. 3 and 4. A resistive mesh classifies the Wisconsin breast cancer data (PCA to
// 3 features as edge sources, two output edges, winner-take-all, hinge loss), trained once
// with 004's two-phase rule and once with the projector (exact) gradient from the homogeneous
// state. 004's claims: both reach about 90% accuracy (Fig. 3); Fig. 4 shows the loss landscape
// on the two principal directions of each trajectory (App. N), which R15 computes for the
// figure. Same mesh, edges and split as R16 ([reproduce] mesh_seed).
#include "common.hpp"

#include <plnet/analysis/landscape.hpp>
#include <plnet/core/error.hpp>
#include <plnet/learning/responses.hpp>

namespace plnet::reproduce {
namespace {

using detail::text;

// 2 x 2 counts: row = true class, column = predicted class (winner-take-all).
Matrix confusion(const Matrix& outputs, const Matrix& targets) {
  Matrix c = Matrix::Zero(targets.cols(), targets.cols());
  for (Index s = 0; s < outputs.rows(); ++s) {
    Index truth = 0, predicted = 0;
    targets.row(s).maxCoeff(&truth);
    outputs.row(s).maxCoeff(&predicted);
    c(truth, predicted) += 1.0;
  }
  return c;
}

CheckTable run(Context& context) {
  const Config& config = context.config;
  const auto mesh_seed = static_cast<std::uint64_t>(config.integer("mesh_seed", 3));
  const std::vector<std::string> rules = config.variants();
  require(rules.size() == 2 && rules[0] == "two_phase" && rules[1] == "exact", config.path(),
          "reproduce.variants must be \"two_phase exact\"");
  CheckTable table;
  for (const std::string& rule : rules) {
    learning::Experiment e = config.experiment(mesh_seed, rule);
    e.protocol.parameters_every = config.integer("snapshot_every", 20);
    learning::Trainer trainer(*e.model, e.task, e.train, e.test, e.loss, e.rule, e.protocol,
                              e.initial_parameters, e.solve);
    while (trainer.step()) {
    }
    detail::TrainedRun run;
    run.initial = e.initial_parameters;
    run.final = trainer.parameters();
    run.steps = trainer.state().step;
    run.log = trainer.state().log;
    learning::LogRow last = trainer.evaluate();
    last.step = run.steps;
    run.log.push_back(last);
    detail::write_training(context.results, rule, e, run);

    learning::Responses responses(*e.model, e.task, e.solve);
    responses.update(run.final);
    const double train_accuracy =
        detail::winner_take_all_accuracy(responses.outputs(e.train.inputs), e.train.targets);
    const double test_accuracy =
        detail::winner_take_all_accuracy(responses.outputs(e.test.inputs), e.test.targets);
    context.results.write(
        "analysis/" + rule + "/confusion_test",
        confusion(responses.outputs(e.test.inputs), e.test.targets),
        {"Confusion matrix on the test set: counts of true class against predicted class.",
         "1 (samples)", "true class, predicted class"});

    // 004 App. N: the landscape in resistance space around the trained state.
    std::vector<Vector> trajectory;
    for (const Vector& w : trainer.state().snapshots) trajectory.push_back(w.cwiseInverse());
    trajectory.push_back(run.final.cwiseInverse());
    analysis::LandscapeOptions landscape_options;
    landscape_options.grid = config.integer("landscape_grid", 21);
    landscape_options.parametrization = learning::Parametrization::kResistance;
    const analysis::Landscape landscape = analysis::trajectory_landscape(
        *e.model, e.task, e.train, e.loss, trajectory, landscape_options);
    const std::string g = "analysis/" + rule + "/landscape/";
    context.results.write(
        g + "axis1", landscape.axis1,
        {"Grid coordinates along the first principal direction of the trajectory.",
         "ohm (resistance)", "grid point"});
    context.results.write(g + "axis2", landscape.axis2,
                          {"Grid coordinates along the second principal direction.",
                           "ohm (resistance)", "grid point"});
    context.results.write(g + "cost", landscape.cost,
                          {"Training cost on the grid, cost(i, j) at axis1[i], axis2[j]; NaN where "
                           "a resistance is <= 0.",
                           "1 (loss)", "axis1 point, axis2 point"});
    context.results.write(g + "coordinates", landscape.coordinates,
                          {"The training trajectory projected on the two directions.",
                           "ohm (resistance)", "snapshot, direction"});
    context.results.write(
        g + "explained_variance", landscape.explained_variance,
        {"Fraction of the trajectory's variance along each direction.", "1", "direction"});

    const std::string who = rule == "exact" ? "projector" : "two-phase";
    const std::string note = "winner-take-all over the two output edges; final hinge loss " +
                             text(last.train_cost) + " (from " + text(run.log.front().train_cost) +
                             ")";
    table.checks.push_back(check_at_least(
        who + ": training accuracy (" + std::to_string(e.train.size()) + " samples)",
        train_accuracy, 0.85, "~90% (004 Fig. 3: 'both methods ... reach 90% accuracy')",
        "'90%' read as >= 85%; " + note));
    table.checks.push_back(
        check_at_least(who + ": test accuracy (" + std::to_string(e.test.size()) + " samples)",
                       test_accuracy, 0.85, "~90% (004 Fig. 3)", "'90%' read as >= 85%"));
  }
  return table;
}

}  // namespace

Reproduction r15_reproduction() {
  return {"R15", "004", "Figs. 3, 4",
          "breast cancer on a resistive mesh: two-phase vs projector accuracy, loss landscape",
          run};
}

}  // namespace plnet::reproduce
