// `pldr train --nproc N`: N local ranks of this same program, rendezvous on a free loopback port.
#pragma once
#include <functional>
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
//
// With restarts.max > 0 (`--max-restarts K`), a failed run starts again: once every rank of the
// failed attempt has ended, all N ranks start anew with the arguments restarts.resume gives, after
// a line naming the rank that died and where the run resumes; up to K times, then the launcher
// gives up with the last failure's exit status. A usage error (exit status 2) and a stop asked for
// by SIGINT or SIGTERM (to the launcher or a rank) are not restarted.
struct Restarts {
  int max = 0;
  // The arguments of the next attempt (after `pldr`) and where it resumes, for the message (such
  // as "out/checkpoint.h5 (step 40)"); called after each failure that is restarted.
  struct Attempt {
    std::vector<std::string> args;
    std::string from;
  };
  std::function<Attempt()> resume;
};
int launch_ranks(int nproc, const std::vector<std::string>& args, const Restarts& restarts = {});

}  // namespace pldr::cli
