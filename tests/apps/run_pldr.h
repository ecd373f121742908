// Running the `pldr` executable (PLDR_EXE) as a user does, for the behaviour tests of the tool.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <string>

// In an unnamed namespace, as each test file had it: the function `pldr` then hides the namespace
// only for unqualified calls (`pldr::save_checkpoint` still names the library).
namespace {

struct CommandResult {
  int code;            // exit status; -1 when killed by a signal (a crash)
  std::string output;  // stdout and stderr together
};

// `s` single-quoted for the shell.
inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline CommandResult pldr(const std::string& args) {
  const std::string command = quote(PLDR_EXE) + " " + args + " 2>&1 </dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {-2, "popen failed"};
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

inline bool mentions(const CommandResult& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

}  // namespace

// gtest prints the command's output with a failed expectation.
#define EXPECT_RESULT(r, code_, text)                                       \
  do {                                                                     \
    const CommandResult& r_ = (r);                                         \
    EXPECT_EQ(r_.code, code_) << r_.output.substr(0, 3000);                \
    EXPECT_TRUE(mentions(r_, text)) << "wanted '" << (text) << "' in:\n" << r_.output.substr(0, 3000); \
  } while (0)
