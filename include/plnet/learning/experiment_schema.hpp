#pragma once
/// The schema of experiment files (docs/experiment.md): which keys the parser looks up and
/// which TOML types each takes. A value of any other type is one error line
/// "<file>: line L: <key>: must be <expected> (got <type> <value>)", for every key.

#include <plnet/learning/experiment.hpp>

#include <map>
#include <string>

namespace plnet::learning {

/// TOML value types, as bits of SchemaKey::types.
enum TomlType : unsigned {
  kTomlString = 1,
  kTomlInteger = 2,
  kTomlFloat = 4,
  kTomlBoolean = 8,
  kTomlArray = 16,
  kTomlTable = 32,
};

/// What one experiment key accepts.
struct SchemaKey {
  unsigned types = 0;    ///< TomlType bits of the values it takes
  std::string expected;  ///< how messages name them: "an integer", "an array of strings", ...
};

/// Parses the experiment like parse_experiment (throwing the same errors) and returns every
/// key the parser looked up, present in the file or not, by dotted name
/// ("data.targets_columns", "task.inputs[0].node"; sections as "data") with the types it
/// accepts: the part of the schema this file's choices (generator, data kind, ...) lead to.
std::map<std::string, SchemaKey> experiment_schema(const std::string& text,
                                                   const std::string& origin,
                                                   const std::string& base_dir,
                                                   const ParseOptions& options = {});

}  // namespace plnet::learning
