// Runs the `pldr` executable as child processes with extra environment variables, output to a
// file, so tests can start ranks by hand, kill one, and wait with a limit.
#pragma once
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace pldr::testing {

class PldrProcess {
 public:
  PldrProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              const std::string& log)
      : log_(log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
      std::vector<std::string> text{PLDR_EXE};
      text.insert(text.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (std::string& a : text) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(PLDR_EXE, argv.data());
      ::_exit(127);
    }
  }
  ~PldrProcess() {
    if (running()) ::kill(pid_, SIGKILL), wait(std::chrono::seconds(5));
  }

  pid_t pid() const { return pid_; }
  bool running() const { return code_ < 0; }
  // The exit code (128 + signal when killed), or -1 if still running after `limit`.
  int wait(std::chrono::duration<double> limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (running()) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_)
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      else if (std::chrono::steady_clock::now() > end) break;
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return code_;
  }
  std::string output() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int code_ = -1;
};

}  // namespace pldr::testing
