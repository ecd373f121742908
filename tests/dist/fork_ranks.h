// Runs a function as N ranks in N forked processes on localhost and collects what each reported.
// Forked before any thread starts in the child (the store's thread is started by the rank itself).
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "dist/rendezvous.h"
#include "dist/socket.h"

namespace pldr::dist::testing {

// A port nobody listens on at the moment of asking.
inline uint16_t free_port() { return local_port(listen_on(0)); }

struct RankOutcome {
  int exit_code = -1;  // the child's exit status; 128 + signal when killed
  std::string report;  // what the child wrote: its error message, or its own result
};

struct RunResult {
  std::vector<RankOutcome> ranks;
  double seconds = 0;  // until the last rank ended
};

// `body(rendezvous, report)` runs in rank r's process; what it appends to `report` comes back; a
// DistError it throws becomes exit code 1 with the message as report. Rendezvous r gets rank r,
// world size `world_sizes[r]`, the given port and timeout.
inline RunResult fork_ranks(const std::vector<int>& world_sizes, uint16_t port, Milliseconds timeout,
                            const std::function<void(const Rendezvous&, std::string&)>& body) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::pair<pid_t, int>> children;
  for (size_t r = 0; r < world_sizes.size(); ++r) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      Rendezvous rv{int(r), world_sizes[r], "127.0.0.1", port, timeout};
      std::string report;
      int code = 0;
      try {
        body(rv, report);
      } catch (const std::exception& e) {
        report = e.what();
        code = 1;
      }
      (void)!::write(fds[1], report.data(), report.size());
      ::close(fds[1]);
      ::_exit(code);
    }
    ::close(fds[1]);
    children.emplace_back(pid, fds[0]);
  }
  RunResult result;
  for (auto [pid, fd] : children) {
    RankOutcome o;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) o.report.append(buf, size_t(n));
    ::close(fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.ranks.push_back(o);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace pldr::dist::testing
