// Running the `pldr` executable (PLDR_EXE) as a user does, for the behaviour tests of the tool.
#pragma once
#include <string>

#include "tests/apps/tool_process.h"

// In an unnamed namespace, as each test file had it: the function `pldr` then hides the namespace
// only for unqualified calls (`pldr::save_checkpoint` still names the library).
namespace {

using CommandResult = pldr::testing::ToolResult;

inline std::string quote(const std::string& s) { return pldr::testing::shell_quote(s); }
inline CommandResult pldr(const std::string& args) { return pldr::testing::run_tool(args); }
inline bool mentions(const CommandResult& r, const std::string& text) { return r.mentions(text); }

}  // namespace

// gtest prints the command's output with a failed expectation.
#define EXPECT_RESULT(r, code_, text)                                                                  \
  do {                                                                                                 \
    const CommandResult& r_ = (r);                                                                     \
    EXPECT_EQ(r_.code, code_) << r_.output.substr(0, 3000);                                            \
    EXPECT_TRUE(mentions(r_, text)) << "wanted '" << (text) << "' in:\n" << r_.output.substr(0, 3000); \
  } while (0)
