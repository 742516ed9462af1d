#include "progress.hpp"

#include <unistd.h>
#include <cstdio>

namespace plnet::cli {

ProgressMode progress_mode(bool quiet) {
  if (quiet) return ProgressMode::kQuiet;
  return ::isatty(STDERR_FILENO) != 0 ? ProgressMode::kTerminal : ProgressMode::kLog;
}

std::string duration_text(double seconds) {
  char text[32];
  if (seconds < 10)
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  else if (seconds < 100)
    std::snprintf(text, sizeof text, "%.0f s", seconds);
  else if (seconds < 6000)
    std::snprintf(text, sizeof text, "%.0f min", seconds / 60);
  else
    std::snprintf(text, sizeof text, "%.1f h", seconds / 3600);
  return text;
}

Progress::Progress(ProgressMode mode, Index total, Index first_step, double interval_seconds)
    : mode_(mode), total_(total), first_step_(first_step), interval_(interval_seconds) {
  start_ = last_ = Clock::now();
  while (next_tenth_ <= 10 && tenth(next_tenth_) <= first_step) ++next_tenth_;
}

double Progress::elapsed(Clock::time_point now) const {
  return std::chrono::duration<double>(now - start_).count();
}

double Progress::rate(Index step, Clock::time_point now) const {
  const double seconds = elapsed(now);
  return seconds > 0 ? static_cast<double>(step - first_step_) / seconds : 0.0;
}

void Progress::update(Index step, double cost) {
  if (mode_ == ProgressMode::kQuiet) return;
  const auto now = Clock::now();
  if (mode_ == ProgressMode::kTerminal) {
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double r = rate(step, now);
    std::fprintf(stderr, "\r  step %lld/%lld  cost %.4e  %.0f steps/s  ETA %s   ",
                 static_cast<long long>(step), static_cast<long long>(total_), cost, r,
                 r > 0 ? duration_text(static_cast<double>(total_ - step) / r).c_str() : "-");
    return;
  }
  const bool at_tenth = next_tenth_ <= 10 && step >= tenth(next_tenth_);
  if (!at_tenth && std::chrono::duration<double>(now - last_).count() < interval_) return;
  while (next_tenth_ <= 10 && tenth(next_tenth_) <= step) ++next_tenth_;
  log_line(step, cost, now, false);
}

void Progress::finish(Index step, double cost) {
  if (mode_ == ProgressMode::kQuiet) return;
  const auto now = Clock::now();
  if (mode_ == ProgressMode::kTerminal) {
    last_ = now - std::chrono::seconds(1);  // the final state is always shown
    update(step, cost);
    std::fprintf(stderr, "\n");
    return;
  }
  log_line(step, cost, now, true);
}

void Progress::log_line(Index step, double cost, Clock::time_point now, bool final) {
  if (step == last_logged_ && !final) return;
  last_ = now;
  last_logged_ = step;
  const double r = rate(step, now);
  const long long percent = total_ > 0 ? static_cast<long long>(100 * step / total_) : 100;
  const std::string tail = final   ? duration_text(elapsed(now)) + " in this run"
                           : r > 0 ? "ETA " + duration_text(static_cast<double>(total_ - step) / r)
                                   : std::string("ETA unknown");
  std::fprintf(stderr, "plnet: step %lld/%lld (%lld%%), cost %.2e, %.0f steps/s, %s\n",
               static_cast<long long>(step), static_cast<long long>(total_), percent, cost, r,
               tail.c_str());
}

}  // namespace plnet::cli
