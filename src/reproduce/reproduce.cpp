// The reproduction framework: configs, check tables, output files, figures.
#include <plnet/core/error.hpp>
#include <plnet/core/one_line.hpp>
#include <plnet/io/atomic_file.hpp>
#include <plnet/reproduce/ensemble.hpp>
#include <plnet/reproduce/reproduce.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <mutex>
#include <ostream>
#include <sstream>

namespace plnet::reproduce {
namespace {

Check make_check(std::string name, double measured, bool passed, std::string criterion,
                 std::string paper, std::string note) {
  Check c;
  c.name = std::move(name);
  c.measured = measured;
  c.passed = passed && std::isfinite(measured);
  c.criterion = std::move(criterion);
  c.paper = std::move(paper);
  c.note = std::move(note);
  return c;
}

std::string number_text(double value) {
  std::ostringstream out;
  out << std::setprecision(4) << value;
  return out.str();
}

// [reproduce] after [quick.reproduce], as a flat JSON object of scalars.
nlohmann::json reproduce_values(const std::string& text, const std::string& origin, bool quick) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& err) {
    throw std::invalid_argument(
        concat(origin, ": line ", err.source().begin.line,
               ": malformed TOML: ", ::plnet::one_line(std::string(err.description()))));
  }
  nlohmann::json out = nlohmann::json::object();
  auto read = [&](const toml::table* table, const std::string& name) {
    if (table == nullptr) return;
    for (const auto& [key, node] : *table) {
      const std::string k(key.str());
      if (const auto i = node.value_exact<std::int64_t>())
        out[k] = *i;
      else if (const auto d = node.value_exact<double>())
        out[k] = *d;
      else if (const auto s = node.value_exact<std::string>())
        out[k] = *s;
      else if (const auto b = node.value_exact<bool>())
        out[k] = *b;
      else
        throw std::invalid_argument(concat(origin, ": line ", node.source().begin.line, ": ", name,
                                           ".", k, ": must be a number, string or boolean"));
    }
  };
  read(root.get_as<toml::table>("reproduce"), "reproduce");
  for (const std::string overlay : {"quick", learning::kOverrideTable}) {
    if (overlay == "quick" && !quick) continue;
    if (const auto* q = root.get_as<toml::table>(overlay))
      read(q->get_as<toml::table>("reproduce"), overlay + ".reproduce");
  }
  return out;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A table cell: '|' escaped, newlines as spaces.
std::string markdown_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else
      out += c == '\n' ? ' ' : c;
  }
  return out;
}

}  // namespace

Check check_at_most(std::string name, double measured, double bound, std::string paper,
                    std::string note) {
  return make_check(std::move(name), measured, measured <= bound, "<= " + number_text(bound),
                    std::move(paper), std::move(note));
}

Check check_at_least(std::string name, double measured, double bound, std::string paper,
                     std::string note) {
  return make_check(std::move(name), measured, measured >= bound, ">= " + number_text(bound),
                    std::move(paper), std::move(note));
}

Check check_between(std::string name, double measured, double low, double high, std::string paper,
                    std::string note) {
  return make_check(std::move(name), measured, measured >= low && measured <= high,
                    "in [" + number_text(low) + ", " + number_text(high) + "]", std::move(paper),
                    std::move(note));
}

std::string Check::status() const {
  if (passed) return "PASS";
  return known_deviation.empty() ? "FAIL" : "DEVIATES";
}

Check known_deviation(Check check, std::string reason) {
  require(!reason.empty(), "known deviation of check '", check.name, "': no reason given");
  check.known_deviation = std::move(reason);
  return check;
}

bool CheckTable::passed() const {
  if (checks.empty()) return false;
  for (const auto& c : checks)
    if (!c.passed) return false;
  return true;
}

Index CheckTable::unexpected_failures() const {
  if (checks.empty()) return 1;
  return static_cast<Index>(std::count_if(checks.begin(), checks.end(),
                                          [](const Check& c) { return c.status() == "FAIL"; }));
}

Index CheckTable::deviations() const {
  return static_cast<Index>(std::count_if(checks.begin(), checks.end(),
                                          [](const Check& c) { return c.status() == "DEVIATES"; }));
}

namespace {
std::string verdict(const CheckTable& table) {
  if (table.passed()) return "All checks passed.";
  if (table.unexpected_failures() > 0) return "SOME CHECKS FAILED.";
  return std::to_string(table.deviations()) +
         " check(s) DEVIATE from the paper (known, reason in the table); the rest passed.";
}
}  // namespace

// ---- Config -------------------------------------------------------------------------------

Config::Config(std::string path, bool quick, const std::vector<std::string>& overrides)
    : path_(std::move(path)), quick_(quick) {
  text_ = io::read_text_file(path_) + learning::override_text(overrides, "plnet reproduce --set");
  const auto dir = std::filesystem::path(path_).parent_path().string();
  base_dir_ = dir.empty() ? "." : dir;
  values_ = reproduce_values(text_, path_, quick_);
}

learning::ParseOptions Config::parse_options(std::uint64_t seed, const std::string& variant) const {
  learning::ParseOptions options;
  options.extra_sections = {"reproduce", "quick"};
  const std::vector<std::string> variants = this->variants();
  if (!variant.empty()) {
    require(std::find(variants.begin(), variants.end(), variant) != variants.end(), path_,
            ": unknown variant '", variant, "'");
    for (const auto& v : variants) {
      options.extra_sections.push_back(v);
      options.extra_sections.push_back("quick_" + v);
    }
    options.overlays.push_back(variant);
  }
  // Without --quick the [quick] tables are still allowed (ignored) sections.
  if (quick_) {
    options.overlays.push_back("quick");
    if (!variant.empty()) options.overlays.push_back("quick_" + variant);
  }
  options.overlays.emplace_back(learning::kOverrideTable);
  options.seed = seed;
  return options;
}

learning::Experiment Config::experiment(std::uint64_t seed) const {
  return learning::parse_experiment(text_, path_, base_dir_, parse_options(seed, {}));
}

std::vector<std::string> Config::variants() const {
  std::istringstream words(text("variants", ""));
  std::vector<std::string> names;
  for (std::string w; words >> w;) names.push_back(w);
  return names;
}

learning::Experiment Config::experiment(std::uint64_t seed, const std::string& variant) const {
  require(!variant.empty(), path_, ": empty variant name");
  return learning::parse_experiment(text_, path_, base_dir_, parse_options(seed, variant));
}

learning::Experiment Config::initial_condition(std::uint64_t seed, const std::string& variant,
                                               std::uint64_t initial_seed) const {
  learning::ParseOptions options = parse_options(seed, variant);
  options.initial_seed = initial_seed;
  return learning::parse_experiment(text_, path_, base_dir_, options);
}

double Config::number(const std::string& key, double fallback) const {
  if (!values_.contains(key)) return fallback;
  const auto& v = values_[key];
  require(v.is_number(), path_, "reproduce.", key, ": must be a number (got ", v.dump(), ")");
  return v.get<double>();
}

Index Config::integer(const std::string& key, Index fallback) const {
  if (!values_.contains(key)) return fallback;
  const auto& v = values_[key];
  require(v.is_number_integer(), path_, "reproduce.", key, ": must be an integer (got ", v.dump(),
          ")");
  return v.get<Index>();
}

std::string Config::text(const std::string& key, const std::string& fallback) const {
  if (!values_.contains(key)) return fallback;
  const auto& v = values_[key];
  require(v.is_string(), path_, "reproduce.", key, ": must be a string (got ", v.dump(), ")");
  return v.get<std::string>();
}

std::uint64_t Config::seed() const {
  const Index s = integer("seed", 1);
  require(s >= 0, path_, "reproduce.seed: must be >= 0 (got ", s, ")");
  return static_cast<std::uint64_t>(s);
}

namespace {
std::mutex& log_mutex() {
  static std::mutex mutex;  // realisations of an ensemble log from several threads
  return mutex;
}
void write_banner_locked(const Context& context) {
  if (context.banner_written || context.options.log == nullptr) return;
  context.banner_written = true;
  if (!context.options.banner.empty()) *context.options.log << context.options.banner << "\n";
}
}  // namespace

void Context::write_banner() const {
  const std::lock_guard<std::mutex> lock(log_mutex());
  write_banner_locked(*this);
  if (options.log != nullptr) *options.log << std::flush;
}

void Context::log(const std::string& line) const {
  if (options.log == nullptr) return;
  const std::lock_guard<std::mutex> lock(log_mutex());
  write_banner_locked(*this);
  *options.log << "  " << line << "\n" << std::flush;
}

// ---- registry lookups ---------------------------------------------------------------------

const Reproduction& find_reproduction(const std::string& id) {
  std::string known;
  for (const auto& r : reproductions()) {
    if (r.id == id) return r;
    known += (known.empty() ? "" : ", ") + r.id;
  }
  throw std::invalid_argument(
      concat("reproduce: unknown reproduction '", id, "' (have ", known, ")"));
}

std::string experiments_dir() {
  return env_or("PLNET_EXPERIMENTS_DIR", PLNET_EXPERIMENTS_DIR);
}
std::string figures_dir() {
  return env_or("PLNET_FIGURES_DIR", PLNET_FIGURES_DIR);
}

// ---- running ------------------------------------------------------------------------------

RunResult run_reproduction(const Reproduction& reproduction, const RunOptions& options) {
  require(!options.output_dir.empty(), "reproduce", "output directory is empty");
  require(options.threads >= 0, "reproduce", "threads must be >= 0 (got ", options.threads, ")");
  const std::string config_path =
      options.config.empty()
          ? (std::filesystem::path(experiments_dir()) / (reproduction.id + ".toml")).string()
          : options.config;
  const Config config(config_path, options.quick, options.overrides);
  const std::uint64_t seed = options.seed_given ? options.seed : config.seed();
  std::error_code error;
  std::filesystem::create_directories(options.output_dir, error);
  if (error || !std::filesystem::is_directory(options.output_dir))
    throw std::invalid_argument(concat(
        options.output_dir, ": cannot create the output directory",
        error ? " (" + error.message() + ")" : std::string(" (a file of that name exists)")));

  RunResult result;
  result.results_path = (std::filesystem::path(options.output_dir) / "results.h5").string();
  result.json_path = (std::filesystem::path(options.output_dir) / "check.json").string();
  result.markdown_path = (std::filesystem::path(options.output_dir) / "check.md").string();

  io::H5Writer writer(result.results_path);
  // Version 2: every dataset described (io::Describe), network edges and log steps as int64.
  io::write_format(writer, "reproduction", 2);
  writer.write("reproduce/id", reproduction.id, {"The reproduction's id (R1, R2, ...).", "", ""});
  writer.write("reproduce/config", config.text(),
               {"The reproduction's TOML config, with any --set overrides.", "", ""});
  writer.write("reproduce/quick", static_cast<Index>(options.quick ? 1 : 0),
               {"1 if run at the shortened --quick size, else 0.", "1", ""});
  writer.write("reproduce/seed", static_cast<Index>(seed),
               {"The seed that fixed every random choice of the run.", "1", ""});

  Context context{config, options, seed, resolve_threads(options.threads), writer};
  const auto start = std::chrono::steady_clock::now();
  result.table = reproduction.run(context);
  context.write_banner();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // The checks go into results.h5 too, so a figure script can print them.
  const auto json = check_json(reproduction, options, seed, result.table, result.seconds);
  writer.write("reproduce/check_json", json.dump(),
               {"The check table as JSON: each number next to the paper's, PASS or FAIL, and the "
                "run time.",
                "", ""});
  // Every dataset says what it is, in which units and along which axes (io::Describe), so that
  // a reader with h5py and no plnet understands results.h5.
  io::require_described(writer);
  writer.commit();
  io::write_atomically(result.json_path, [&](std::ostream& out) { out << json.dump(2) << "\n"; });
  const std::string md = check_markdown(reproduction, options, seed, result.table, result.seconds);
  io::write_atomically(result.markdown_path, [&](std::ostream& out) { out << md; });
  return result;
}

nlohmann::json check_json(const Reproduction& reproduction, const RunOptions& options,
                          std::uint64_t seed, const CheckTable& table, double seconds) {
  nlohmann::json j;
  j["id"] = reproduction.id;
  j["paper"] = reproduction.paper;
  j["figure"] = reproduction.figure;
  j["title"] = reproduction.title;
  j["quick"] = options.quick;
  j["seed"] = seed;
  j["seconds"] = seconds;
  j["passed"] = table.passed();
  j["unexpected_failures"] = table.unexpected_failures();
  j["deviations"] = table.deviations();
  j["checks"] = nlohmann::json::array();
  for (const auto& c : table.checks) {
    nlohmann::json row;
    row["name"] = c.name;
    // JSON has no NaN: a check that produced no number says so with null.
    row["measured"] = std::isfinite(c.measured) ? nlohmann::json(c.measured) : nlohmann::json();
    row["paper"] = c.paper;
    row["criterion"] = c.criterion;
    row["passed"] = c.passed;
    row["status"] = c.status();
    row["note"] = c.note;
    row["known_deviation"] = c.known_deviation;
    j["checks"].push_back(row);
  }
  return j;
}

std::string check_markdown(const Reproduction& reproduction, const RunOptions& options,
                           std::uint64_t seed, const CheckTable& table, double seconds) {
  std::ostringstream out;
  out << "# " << reproduction.id << ": " << reproduction.title << "\n\n"
      << "Paper " << reproduction.paper << ", " << reproduction.figure << ". "
      << (options.quick ? "Quick size (--quick)" : "Full size");
  for (std::size_t i = 0; i < options.overrides.size(); ++i)
    out << (i == 0 ? ", overridden: " : ", ") << options.overrides[i];
  out << ", seed " << seed << ", " << std::fixed << std::setprecision(1) << seconds << " s. "
      << verdict(table) << "\n\n"
      << "| check | measured | paper | criterion | result | note |\n"
      << "|---|---|---|---|---|---|\n";
  for (const auto& c : table.checks)
    out << "| " << markdown_cell(c.name) << " | "
        << (std::isfinite(c.measured) ? number_text(c.measured) : std::string("n/a")) << " | "
        << markdown_cell(c.paper) << " | " << markdown_cell(c.criterion) << " | " << c.status()
        << " | "
        << markdown_cell(c.known_deviation.empty() ? c.note
                                                   : c.note + (c.note.empty() ? "" : " ") +
                                                         "Known deviation: " + c.known_deviation)
        << " |\n";
  return out.str();
}

std::string make_figures(const Reproduction& reproduction, const std::string& output_dir) {
  const std::string python = "/usr/bin/python3";
  if (!std::filesystem::exists(python)) return "no figures: " + python + " is not installed";
  const auto script = std::filesystem::path(figures_dir()) / (reproduction.id + ".py");
  if (!std::filesystem::exists(script)) return "no figures: no figure script " + script.string();
  const std::string probe =
      shell_quote(python) + " -c 'import matplotlib, h5py, numpy' >/dev/null 2>&1";
  if (std::system(probe.c_str()) != 0)
    return "no figures: " + python +
           " cannot import matplotlib, h5py and numpy "
           "(Debian: python3-matplotlib python3-h5py)";
  const std::string command =
      shell_quote(python) + " " + shell_quote(script.string()) + " " + shell_quote(output_dir);
  const int status = std::system(command.c_str());
  if (status != 0)
    return "figure script " + script.string() + " failed (status " + std::to_string(status) + ")";
  return {};
}

}  // namespace plnet::reproduce
