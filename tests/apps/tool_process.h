// Running the `pldr` tool (PLDR_EXE) as a subprocess: its exit status and its output.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace pldr::testing {

struct ToolResult {
  int code;            // exit status; -1 when killed by a signal (a crash)
  std::string output;  // stdout and stderr together
  bool mentions(const std::string& text) const { return output.find(text) != std::string::npos; }
};

// `s` single-quoted for the shell.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command line, stdout and stderr together.
inline ToolResult run_shell(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {-2, "popen failed"};
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// `env`, when not empty, is given to env(1) before the tool: "-u NAME VAR=value ...".
inline ToolResult run_tool(const std::string& args, const std::string& env = "") {
  return run_shell((env.empty() ? "" : "env " + env + " ") + shell_quote(PLDR_EXE) + " " + args + " 2>&1 </dev/null");
}

// The tool run from the folder `dir`, with `input` on its stdin.
inline ToolResult run_tool_in(const std::string& dir, const std::string& args, const std::string& input = "") {
  return run_shell("cd " + shell_quote(dir) + " && printf %s " + shell_quote(input) + " | " + shell_quote(PLDR_EXE) +
                   " " + args + " 2>&1");
}

}  // namespace pldr::testing
