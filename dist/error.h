// Errors of the process group. Every message names what failed: host:port, ranks, world sizes.
#pragma once
#include <stdexcept>
#include <string>

namespace pldr::dist {

struct DistError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A neighbour in the ring closed its connection, reset it, or sent nothing within the timeout.
struct PeerLost : DistError {
  PeerLost(int rank, const std::string& reason, bool silent = false)
      : DistError("rank " + std::to_string(rank) + " lost: " + reason), rank(rank), reason(reason), silent(silent) {}
  int rank;
  std::string reason;
  bool silent;  // nothing moved for the timeout (the neighbour may itself be waiting on a silent rank)
};

}  // namespace pldr::dist
