#pragma once
/// Checks every file a command will write before the command starts its work, so that a long
/// run never fails at its end on a missing directory, and no output ever replaces an input or a
/// file plnet did not write.
///
/// Rules, each a one-line std::invalid_argument naming the flag the user typed and the path:
/// - the output's directory exists and is writable, and the output is not a directory;
/// - an existing output is writable (a read-only file, mode 0444, is never replaced, even by
///   root, who could);
/// - no output is one of the inputs: same resolved path, or same device and inode (hard links);
/// - no two outputs are the same file;
/// - a *derived* output (a name plnet chose, such as the summary next to a run file or the
///   default checkpoint) replaces an existing file only if plnet wrote that file as the same
///   kind of output (its `plnet_format` marker, see docs/file_formats.md).

#include <string>
#include <vector>

namespace plnet::io {

/// A file the command reads; `what` names it in messages ("experiment", "network file").
struct InputFile {
  std::string path;
  std::string what;
};

/// A file the command will write. `flag` is what the user typed to name it ("-o", or
/// "-o (summary)" for a derived name). A derived output names the plnet_format kind that an
/// existing file must carry to be replaced ("run_summary", "checkpoint", ...).
struct OutputFile {
  std::string path;
  std::string flag;
  std::string derived_kind;  ///< empty: the user named this file
};

/// Throws std::invalid_argument on the first rule an output breaks (see the file comment).
/// Standard output ("" or "-") is skipped.
void check_outputs(const std::vector<InputFile>& inputs, const std::vector<OutputFile>& outputs);

/// The plnet_format marker of an existing plnet file: the root attribute of an HDF5 file, or
/// the top-level "plnet_format" key of a JSON object. Empty when the file is absent, unreadable
/// or not plnet's.
std::string plnet_format_of(const std::string& path);

/// Removes "<path>.tmp.<pid>" files that writers killed before they could rename them left
/// beside `path`, for processes that no longer exist. Returns how many were removed.
int remove_stale_temporaries(const std::string& path) noexcept;

}  // namespace plnet::io
