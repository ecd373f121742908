// Where a rank finds the others: the environment launchers already set. torchrun's names
// (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) or, under Slurm, SLURM_PROCID and SLURM_NTASKS with
// MASTER_ADDR and MASTER_PORT exported by the batch script. PLDR_DIST_TIMEOUT (seconds, default
// 60) bounds every wait: connecting, joining, and each all-reduce's silence from a neighbour.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "dist/socket.h"

namespace pldr::dist {

struct Rendezvous {
  int rank = 0;
  int world_size = 1;
  std::string master_addr = "127.0.0.1";
  uint16_t master_port = 29500;
  Milliseconds timeout{60000};
};

constexpr Milliseconds kDefaultTimeout{60000};

// nullopt when neither RANK/WORLD_SIZE nor SLURM_PROCID/SLURM_NTASKS is set (one process). Throws
// DistError naming the variable when one is malformed or out of range, or MASTER_PORT is missing
// for a world size above 1. `getenv` is injectable for tests.
std::optional<Rendezvous> rendezvous_from_environment(const std::function<const char*(const char*)>& getenv =
                                                          [](const char* name) { return std::getenv(name); });

}  // namespace pldr::dist
