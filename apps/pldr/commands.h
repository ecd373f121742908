// The subcommands of `pldr`. Each takes the arguments after its name and returns the exit code;
// errors are thrown and reported once by main().
#pragma once
#include <string>
#include <vector>

namespace pldr::cli {

using Args = std::vector<std::string>;

int cmd_verify_golden(const Args& args);
int cmd_tokenizer(const Args& args);
int cmd_prepare(const Args& args);
int cmd_train(const Args& args);
int cmd_generate(const Args& args);
int cmd_inspect(const Args& args);
int cmd_invariance(const Args& args);
int cmd_transfer(const Args& args);
int cmd_plot(const Args& args);
int cmd_eval(const Args& args);
int cmd_convert(const Args& args);
int cmd_export(const Args& args);

}  // namespace pldr::cli
