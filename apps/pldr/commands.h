// The subcommands of `pldr`. Each takes the arguments after its name and returns the exit code;
// errors are thrown and reported once by main().
#pragma once
#include <string>
#include <vector>

namespace pldr::cli {

using Args = std::vector<std::string>;

int verify_golden(const Args& args);
int tokenizer(const Args& args);
int prepare(const Args& args);
int train(const Args& args);
int generate(const Args& args);
int inspect(const Args& args);
int invariance(const Args& args);
int transfer(const Args& args);
int plot(const Args& args);
int eval(const Args& args);
int convert(const Args& args);
int export_hf(const Args& args);

}  // namespace pldr::cli
