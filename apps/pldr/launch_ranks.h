// `pldr train --nproc N`: N local ranks of this same program, rendezvous on a free loopback port.
#pragma once
#include <string>
#include <vector>

namespace pldr::cli {

// Runs `pldr <args>` N times with RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1 and MASTER_PORT set
// (every rank's output goes to this terminal; only rank 0 prints progress), and
// OMP_NUM_THREADS = cores / N unless it is set. Returns 0 when all
// ranks succeed, else the exit status of the first that failed (128 + signal when killed). Once
// one fails, the others get a few seconds to report the loss themselves, then are killed.
// A SIGTERM to the launcher is passed to the ranks and Ctrl-C reaches them from the terminal
// (`pldr train` stops after the current step with a checkpoint); the launcher ignores SIGINT and
// waits for them. Killed outright, it takes its ranks with it.
int launch_ranks(int nproc, const std::vector<std::string>& args);

}  // namespace pldr::cli
