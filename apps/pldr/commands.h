// The subcommands of `pldr`. Each declares its flags once (a CommandSpec: the parser, `--help`,
// `pldr help CMD` and the README's test read it), takes the arguments after its name and returns
// the exit code; errors are thrown and reported once by main(): a UsageError exits 2, any other
// error 1.
#pragma once
#include <string>
#include <vector>

#include "apps/flags.h"

namespace pldr::cli {

using Args = std::vector<std::string>;

struct Command {
  const CommandSpec& (*spec)();
  int (*run)(const Args& args);
};

// --threads N, which main() takes out of every command's arguments (threads_flag.h); listed in
// each command's help.
FlagSpec threads_flag();

const CommandSpec& verify_golden_spec();
const CommandSpec& tokenizer_spec();
const CommandSpec& prepare_spec();
const CommandSpec& train_spec();
const CommandSpec& generate_spec();
const CommandSpec& inspect_spec();
const CommandSpec& invariance_spec();
const CommandSpec& transfer_spec();
const CommandSpec& plot_spec();
const CommandSpec& eval_spec();
const CommandSpec& convert_spec();
const CommandSpec& export_spec();
const CommandSpec& quantize_spec();

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
int cmd_quantize(const Args& args);

}  // namespace pldr::cli
