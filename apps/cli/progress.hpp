#pragma once
// Progress of a long command on stderr, for a person at a terminal or for a batch job's log.
#include <plnet/core/types.hpp>

#include <chrono>
#include <string>

namespace plnet::cli {

/// How progress is shown: not at all (--quiet), as one line rewritten in place (stderr is a
/// terminal) or as plain log lines (stderr is a file or a pipe: nohup, Slurm, a CI log).
enum class ProgressMode { kQuiet, kTerminal, kLog };

/// kQuiet if `quiet`, else kTerminal or kLog after isatty(stderr).
ProgressMode progress_mode(bool quiet);

/// "45 s", "12 min", "3.2 h": a duration in seconds as a person reads it.
std::string duration_text(double seconds);

/// Reports the steps of a run. Rates and ETAs count only the steps this process ran (a resumed
/// run starts its clock at the step it resumed from). kTerminal: "\r  step 2000/20000  cost
/// 1.2300e-02  812 steps/s  ETA 22 s", at most 5 times a second. kLog: one line
/// "plnet: step 2000/20000 (10%), cost 1.23e-02, 812 steps/s, ETA 22 s" at every tenth of the
/// run and whenever `interval_seconds` passed without a line; finish() ends with
/// "..., 24.6 s in this run".
class Progress {
 public:
  Progress(ProgressMode mode, Index total, Index first_step, double interval_seconds);
  /// After a step; `cost` is the last logged training cost.
  void update(Index step, double cost);
  /// When the run ends, is stopped or interrupted.
  void finish(Index step, double cost);

 private:
  using Clock = std::chrono::steady_clock;
  double elapsed(Clock::time_point now) const;
  double rate(Index step, Clock::time_point now) const;
  Index tenth(int k) const { return total_ * k / 10; }
  void log_line(Index step, double cost, Clock::time_point now, bool final);

  ProgressMode mode_;
  Index total_;
  Index first_step_;
  double interval_;
  Clock::time_point start_, last_;
  int next_tenth_ = 1;      // kLog: the next tenth of the run that gets a line
  Index last_logged_ = -1;  // kLog: the step of the last line
};

}  // namespace plnet::cli
