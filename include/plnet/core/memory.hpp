#pragma once
/// Sizes checked against this machine's memory before anything is allocated. A request that
/// cannot fit (2e9 nodes, 1e11 samples, a log row for each of 1e12 steps) is refused up front
/// with one line naming the key or flag, the size and the estimate, instead of ending in a
/// std::bad_alloc, or in the kernel's out-of-memory killer, minutes later.
///
/// The estimates count the arrays plnet holds at their smallest (8-byte values, few copies), so
/// a refused request cannot fit; one that passes may still need more than the estimate.

#include <string>

namespace plnet {

/// Physical memory of this machine in bytes, sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGE_SIZE)
/// (0 when the system does not say; require_memory then accepts every size).
double physical_memory_bytes();

/// A byte count for messages in decimal units with two significant digits: "2.4 TB", "24 GB",
/// "310 MB", "12 kB", "512 bytes".
std::string bytes_text(double bytes);

/// "" when `bytes` fit in the physical memory, otherwise "<what> need <bytes>, more than this
/// machine's <memory> memory" (for callers that put the key in front themselves).
std::string memory_shortfall(double bytes, const std::string& what);

/// Throws std::invalid_argument("<where>: <what> need <bytes>, more than this machine's
/// <memory> memory") when `bytes` exceeds the physical memory; `what` names the size in the
/// user's terms ("100000000000 samples x 3 columns").
void require_memory(double bytes, const std::string& where, const std::string& what);

}  // namespace plnet
