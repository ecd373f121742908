#include "apps/pldr/launch_ranks.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <thread>
#include <vector>

#include "dist/socket.h"

namespace pldr::cli {

namespace {

// How long the other ranks may take to notice a lost rank and exit before they are killed.
constexpr std::chrono::seconds kGrace{5};

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

// In a forked child: becomes rank `rank` of `nproc` (its environment set, this program run again
// with `argv`); returns only by exiting when the program cannot be started.
[[noreturn]] void exec_rank(int rank, int nproc, const std::string& port, char* const* argv) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no rank outlives the launcher
  ::setenv("RANK", std::to_string(rank).c_str(), 1);
  ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
  ::setenv("MASTER_ADDR", "127.0.0.1", 1);
  ::setenv("MASTER_PORT", port.c_str(), 1);
  // The ranks share the cores (training.threads, when set, still decides).
  if (!std::getenv("OMP_NUM_THREADS"))
    ::setenv("OMP_NUM_THREADS", std::to_string(std::max<long>(1, ::sysconf(_SC_NPROCESSORS_ONLN) / nproc)).c_str(), 1);
  ::execv("/proc/self/exe", argv);
  std::perror("pldr: cannot start a rank");
  ::_exit(127);
}

// The ranks' pids, for the signal handler below (async-signal-safe: a fixed array).
pid_t rank_pids[1024];
volatile std::sig_atomic_t rank_count = 0;

// Set once the launcher was asked to stop: a run that then fails is not restarted.
volatile std::sig_atomic_t stop_asked = 0;

// SIGTERM to the launcher: passed to every rank, which stop in their own time.
extern "C" void pass_signal_to_ranks(int signal) {
  stop_asked = 1;
  for (int i = 0; i < rank_count; ++i) ::kill(rank_pids[i], signal);
}

// Forks the ranks; returns the running children (pid -> rank).
std::map<pid_t, int> start_ranks(int nproc, const std::string& port, char* const* argv) {
  std::map<pid_t, int> ranks;
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("--nproc: cannot start rank " + std::to_string(r));
    if (pid == 0) exec_rank(r, nproc, port, argv);
    ranks[pid] = r;
    rank_pids[r] = pid;
    rank_count = r + 1;
  }
  return ranks;
}

// A rank's end; ranks this launcher killed are not causes.
struct End {
  int rank, status;
  bool killed_here;
};

// Waits for every rank to end; once one fails, the others get kGrace to exit, then are killed.
// Returns every rank's end, in the order they were reaped.
std::vector<End> wait_for_ranks(std::map<pid_t, int> ranks) {
  std::vector<End> ends;
  bool killed_rest = false;
  auto kill_at = std::chrono::steady_clock::time_point::max();
  while (!ranks.empty()) {
    int status = 0;
    for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
      if (!ranks.count(pid)) continue;
      ends.push_back({ranks[pid], status, killed_rest});
      ranks.erase(pid);
      if (exit_code(status) != 0 && kill_at == std::chrono::steady_clock::time_point::max())
        kill_at = std::chrono::steady_clock::now() + kGrace;
    }
    if (!killed_rest && std::chrono::steady_clock::now() >= kill_at) {
      for (const auto& [child, rank] : ranks) ::kill(child, SIGKILL);
      killed_rest = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ends;
}

// The cause of the run's failure, null when every rank succeeded: a rank killed by a signal from
// outside (the others exit with 1 on noticing it, possibly before it is reaped), else the first
// rank that failed.
const End* failure_cause(const std::vector<End>& ends) {
  const End* cause = nullptr;
  for (const End& e : ends)
    if (WIFSIGNALED(e.status) && !e.killed_here) {
      cause = &e;
      break;
    }
  for (const End& e : ends)
    if (!cause && exit_code(e.status) != 0) cause = &e;
  return cause;
}

// Whether a restart may cure the failure `cause`: not a usage error (exit status 2), nor a stop
// asked for with SIGINT or SIGTERM (the rank's exit status 128 + the signal after its checkpoint, or
// the signal itself when sent twice).
bool restartable(const End& cause) {
  if (stop_asked) return false;
  if (WIFSIGNALED(cause.status)) return WTERMSIG(cause.status) != SIGINT && WTERMSIG(cause.status) != SIGTERM;
  const int code = WEXITSTATUS(cause.status);
  return code != 2 && code != 128 + SIGINT && code != 128 + SIGTERM;
}

// "rank 1 died (killed by signal 9)", "rank 0 died (exit status 1)".
std::string death(const End& e) {
  return "rank " + std::to_string(e.rank) + " died (" +
         (WIFSIGNALED(e.status) ? "killed by signal " + std::to_string(WTERMSIG(e.status))
                                : "exit status " + std::to_string(WEXITSTATUS(e.status))) +
         ")";
}

// Starts the ranks with `args` on a free loopback port (rank 0 takes it) and waits for their ends.
std::vector<End> run_attempt(int nproc, const std::vector<std::string>& args) {
  const std::string port = std::to_string(dist::local_port(dist::listen_on(0)));
  std::vector<std::string> argv_text{"pldr"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  return wait_for_ranks(start_ranks(nproc, port, argv.data()));
}

}  // namespace

int launch_ranks(int nproc, const std::vector<std::string>& args, const Restarts& restarts) {
  // Ctrl-C reaches the ranks from the terminal (a second SIGINT from here would abort them); the
  // launcher stays to collect them.
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGTERM, pass_signal_to_ranks);
  std::vector<std::string> attempt_args = args;
  for (int restart = 0;; ++restart) {
    const std::vector<End> ends = run_attempt(nproc, attempt_args);
    const End* cause = failure_cause(ends);
    if (!cause) return 0;
    if (restarts.max == 0 || !restartable(*cause)) {
      if (WIFSIGNALED(cause->status))
        std::fprintf(stderr, "pldr: rank %d was killed by signal %d\n", cause->rank, WTERMSIG(cause->status));
      return exit_code(cause->status);
    }
    if (restart == restarts.max) {
      std::fprintf(stderr, "pldr: %s after %d restart%s (--max-restarts %d): giving up\n", death(*cause).c_str(),
                   restart, restart == 1 ? "" : "s", restarts.max);
      return exit_code(cause->status);
    }
    const Restarts::Attempt next = restarts.resume();
    std::fprintf(stderr, "pldr: %s; restart %d of %d from %s\n", death(*cause).c_str(), restart + 1, restarts.max,
                 next.from.c_str());
    attempt_args = next.args;
  }
}

}  // namespace pldr::cli
