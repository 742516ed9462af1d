#pragma once
/// Named reproductions of the papers' published results (physics.md section 7, docs/reproduce.md).
///
/// A reproduction is an id ("R1"), the paper and figure it reproduces, a config file
/// experiments/<id>.toml and a run function. The config is an experiment file
/// (docs/experiment.md) with two extra tables: [reproduce] (the reproduction's own knobs: number
/// of realisations, analysis sizes, the base seed) and [quick] (overlays of the experiment
/// sections and of [reproduce] for the `--quick` size used in CI). The run function trains and
/// analyses, writes its arrays to results.h5 and returns a check table: one row per "must show"
/// item of physics.md, with the measured number, the paper's claim and PASS/FAIL.
///
/// Output directory layout: results.h5 (plnet_format "reproduction", version 1), check.json,
/// check.md, and the figures <id>.png / <id>.svg written by scripts/figures/<id>.py.

#include <plnet/core/types.hpp>
#include <plnet/io/hdf5.hpp>
#include <plnet/learning/experiment.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace plnet::reproduce {

/// One row of a check table.
///
/// A row that fails is FAIL, unless the reproduction declared beforehand (`known_deviation`,
/// set where the check is made, with the most likely reason) that this claim is not reproduced
/// as the paper states it: then it is DEVIATES. DEVIATES is still a failed check (the number
/// and the bound are unchanged, `passed` is false); it only tells CI that the failure is
/// understood and documented, so that an unexpected FAIL elsewhere is not drowned by it.
struct Check {
  std::string name;       ///< what is checked ("final training MSE")
  double measured = 0.0;  ///< our number (NaN if the check is qualitative and failed to run)
  std::string paper;      ///< the paper's number or claim, as stated ("~1e-5 (App. D)")
  std::string criterion;  ///< the pass rule applied to `measured` ("<= 1e-4")
  bool passed = false;
  std::string note;  ///< why it differs, what it means, or the most likely reason for a FAIL
  /// Non-empty: this claim is known not to reproduce here; the most likely reason.
  std::string known_deviation;

  /// "PASS", "FAIL" (failed, not expected) or "DEVIATES" (failed, known_deviation given).
  std::string status() const;
};

/// `check` with its known deviation declared (`reason`: the most likely reason, non-empty).
Check known_deviation(Check check, std::string reason);

/// measured <= bound.
Check check_at_most(std::string name, double measured, double bound, std::string paper,
                    std::string note = {});
/// measured >= bound.
Check check_at_least(std::string name, double measured, double bound, std::string paper,
                     std::string note = {});
/// low <= measured <= high.
Check check_between(std::string name, double measured, double low, double high, std::string paper,
                    std::string note = {});

struct CheckTable {
  std::vector<Check> checks;
  bool passed() const;  ///< every check passed (false for an empty table)
  /// Number of rows that failed without a declared deviation (FAIL); an empty table counts
  /// as one: it proves nothing. `plnet reproduce` exits 3 and CI fails when this is > 0.
  Index unexpected_failures() const;
  Index deviations() const;  ///< rows with status DEVIATES
};

/// What `plnet reproduce` was asked for.
struct RunOptions {
  bool quick = false;           ///< the [quick] sizes (CI)
  int threads = 0;              ///< worker threads for ensembles (0: hardware concurrency)
  std::string output_dir;       ///< where results go (created)
  std::string config;           ///< config file (default: <experiments dir>/<id>.toml)
  bool seed_given = false;      ///< true: `seed` replaces [reproduce] seed
  std::uint64_t seed = 1;       ///< base seed of the whole reproduction
  std::ostream* log = nullptr;  ///< progress messages (nullptr: none)
  /// Written to `log` before the first progress line (so that a config the run refuses is one
  /// error line, without a banner before it).
  std::string banner;
  /// "section.key=value" (value in TOML syntax) applied after [quick]: `protocol.steps=300000`,
  /// `reproduce.stiff_modes=3`. Recorded in the config text stored in results.h5.
  std::vector<std::string> overrides;
};

/// A reproduction config: the file's text plus its [reproduce] table (after the [quick]
/// overlay when quick). Reads typed values and remembers which keys were read; unknown
/// [reproduce] keys are reported by finish().
class Config {
 public:
  /// `overrides`: RunOptions::overrides; each is appended to the text as a [set.<section>]
  /// overlay (applied after [quick]). Throws std::invalid_argument for a malformed override.
  Config(std::string path, bool quick, const std::vector<std::string>& overrides = {});
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  bool quick() const { return quick_; }

  /// The experiment of realisation seed `seed` (every seed key replaced, learning::ParseOptions).
  learning::Experiment experiment(std::uint64_t seed) const;
  /// The parts of a multi-part reproduction: [reproduce] variants, space-separated names
  /// ("node flow spring"; R10), empty for a single experiment.
  std::vector<std::string> variants() const;
  /// One part of a multi-part reproduction: the tables [<variant>.<section>] overlay the
  /// experiment sections first, then [quick] and [quick_<variant>] (when quick) and the --set
  /// overrides. Every name in variants() (and quick_<name>) is an allowed top-level table.
  /// Throws std::invalid_argument if `variant` is not one of variants().
  learning::Experiment experiment(std::uint64_t seed, const std::string& variant) const;
  /// Realisation `seed` of the network, task and data with initial condition `initial_seed`
  /// (learning::ParseOptions::initial_seed: only the parameters' and protocol's seeds differ
  /// between initial conditions). `variant` empty: no variant overlay.
  learning::Experiment initial_condition(std::uint64_t seed, const std::string& variant,
                                         std::uint64_t initial_seed) const;

  double number(const std::string& key, double fallback) const;
  Index integer(const std::string& key, Index fallback) const;
  std::string text(const std::string& key, const std::string& fallback) const;
  /// The base seed stored in the file ([reproduce] seed, default 1).
  std::uint64_t seed() const;

 private:
  learning::ParseOptions parse_options(std::uint64_t seed, const std::string& variant) const;

  std::string path_, text_, base_dir_;
  bool quick_;
  nlohmann::json values_;  // [reproduce] after the overlays, as JSON scalars
};

/// Everything a run function gets.
struct Context {
  const Config& config;
  const RunOptions& options;
  std::uint64_t seed;     ///< base seed of this run (options or config)
  int threads;            ///< resolved thread count (>= 1)
  io::H5Writer& results;  ///< results.h5, open for writing (committed after the run)
  /// Prints a progress line to options.log if set (thread-safe: one line at a time), after
  /// options.banner the first time.
  void log(const std::string& line) const;
  /// Writes options.banner to options.log unless already written.
  void write_banner() const;
  mutable bool banner_written = false;
};

using RunFunction = std::function<CheckTable(Context&)>;

struct Reproduction {
  std::string id;      ///< "R1"
  std::string paper;   ///< "000"
  std::string figure;  ///< "Figs. 1, 4"
  std::string title;   ///< one line
  RunFunction run;
};

/// Every registered reproduction, in registry order (src/reproduce/registry.cpp).
const std::vector<Reproduction>& reproductions();
/// The reproduction named `id` (case-sensitive); throws std::invalid_argument listing the ids.
const Reproduction& find_reproduction(const std::string& id);

/// Directory of the shipped configs (experiments/) and figure scripts (scripts/figures/) of
/// the source tree this binary was built from; PLNET_EXPERIMENTS_DIR / PLNET_FIGURES_DIR in
/// the environment override them.
std::string experiments_dir();
std::string figures_dir();

struct RunResult {
  CheckTable table;
  double seconds = 0.0;
  std::string results_path, json_path, markdown_path;
};

/// Runs one reproduction: loads its config, creates options.output_dir, runs it, commits
/// results.h5 and writes check.json and check.md (all atomically).
RunResult run_reproduction(const Reproduction& reproduction, const RunOptions& options);

/// check.json content: {"id", "paper", "figure", "title", "quick", "seed", "seconds", "passed",
/// "unexpected_failures", "deviations", "checks": [{"name", "measured", "paper", "criterion",
/// "passed", "status", "note", "known_deviation"}]}.
nlohmann::json check_json(const Reproduction& reproduction, const RunOptions& options,
                          std::uint64_t seed, const CheckTable& table, double seconds);
/// check.md content: a heading and a Markdown table with the same rows.
std::string check_markdown(const Reproduction& reproduction, const RunOptions& options,
                           std::uint64_t seed, const CheckTable& table, double seconds);

/// Figures: runs `/usr/bin/python3 <figures_dir>/<id>.py <output_dir>`. Returns an empty string
/// on success, otherwise one line saying why no figure was made (python3 or matplotlib/h5py
/// absent, no script, the script failed).
std::string make_figures(const Reproduction& reproduction, const std::string& output_dir);

}  // namespace plnet::reproduce
