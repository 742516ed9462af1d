#pragma once
/// Messages in the user's words: an options struct's validate() names its fields
/// ("JammedOptions.num_particles"); the user typed a flag ("--nodes") or a key ("nodes").

#include <functional>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace plnet {

/// Runs `validate`; in the message of an std::invalid_argument it throws, the struct prefix is
/// dropped and each field name becomes the name the user typed, given as {field, name} pairs.
inline void validate_with_names(const std::function<void()>& validate,
                                const std::vector<std::pair<std::string, std::string>>& names) {
  try {
    validate();
  } catch (const std::invalid_argument& e) {
    std::string message = std::regex_replace(e.what(), std::regex("\\b[A-Za-z]+Options\\."), "");
    for (const auto& [field, name] : names)
      message = std::regex_replace(message, std::regex("\\b" + field + "\\b"), name);
    throw std::invalid_argument(message);
  }
}

}  // namespace plnet
