// pldr: train, run, inspect and verify PLDR-LLMs.
#include <exception>
#include <iostream>
#include <map>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/threads_flag.h"
#include "apps/pldr/version.h"
#include "tensor/memory_policy.h"
#include "tensor/wait_policy.h"

namespace {

using pldr::cli::Command;

const std::map<std::string, Command>& commands() {
  namespace c = pldr::cli;
  static const std::map<std::string, Command> table {
#if PLDR_APP_FULL
    {"tokenizer", {c::tokenizer_spec, c::cmd_tokenizer}}, {"prepare", {c::prepare_spec, c::cmd_prepare}},
        {"train", {c::train_spec, c::cmd_train}}, {"generate", {c::generate_spec, c::cmd_generate}},
        {"eval", {c::eval_spec, c::cmd_eval}}, {"inspect", {c::inspect_spec, c::cmd_inspect}},
        {"invariance", {c::invariance_spec, c::cmd_invariance}}, {"convert", {c::convert_spec, c::cmd_convert}},
        {"export", {c::export_spec, c::cmd_export}}, {"plot", {c::plot_spec, c::cmd_plot}},
        {"transfer", {c::transfer_spec, c::cmd_transfer}}, {"quantize", {c::quantize_spec, c::cmd_quantize}},
        {"verify-golden", {c::verify_golden_spec, c::cmd_verify_golden}},
#else  // a build without HDF5 and SentencePiece
    {"generate", {c::generate_spec, c::cmd_generate}}, {"eval", {c::eval_spec, c::cmd_eval}},
        {"quantize", {c::quantize_spec, c::cmd_quantize}},
#endif
  };
  return table;
}

void print_usage(std::ostream& out) {
  out << "usage: pldr COMMAND [ARGS]   (pldr COMMAND --help, or pldr help COMMAND: its flags)\n\ncommands:\n";
  for (const auto& [name, c] : commands()) {
    const pldr::cli::CommandSpec& spec = c.spec();
    out << "  " << spec.name << std::string(spec.name.size() < 16 ? 16 - spec.name.size() : 1, ' ') << spec.summary
        << "\n";
  }
  out << "\nevery command takes --threads N (or PLDR_NUM_THREADS=N): the CPU threads it runs on\n"
         "exit status: 0 done, 1 error while running, 2 usage error\n"
         "pldr --version prints the version\n";
}

// `pldr help [COMMAND]`.
int print_help_for(const std::vector<std::string>& names) {
  if (names.empty()) {
    print_usage(std::cout);
    return 0;
  }
  const auto it = commands().find(names[0]);
  if (it == commands().end() || names.size() > 1) {
    std::cerr << "pldr help: " << (names.size() > 1 ? "give one command" : "unknown command '" + names[0] + "'")
              << "\n";
    print_usage(std::cerr);
    return 2;
  }
  pldr::cli::print_help(std::cout, it->second.spec());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  pldr::sleep_idle_threads(argv);  // may run this program again, with OMP_WAIT_POLICY=passive
  const std::string first = argc < 2 ? "" : argv[1];
  if (argc < 2 || first == "--help" || first == "-h") {
    print_usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  if (first == "--version" || first == "version") {
    std::cout << "pldr " << pldr::cli::version() << "\n";
    return 0;
  }
  if (first == "help") return print_help_for({argv + 2, argv + argc});
  auto it = commands().find(first);
  if (it == commands().end()) {
    std::cerr << "pldr: unknown command '" << first << "'\n";
    print_usage(std::cerr);
    return 2;
  }
  const pldr::cli::CommandSpec& spec = it->second.spec();
  pldr::retain_freed_memory();  // training reuses the same buffers every step
  try {
    pldr::cli::Args args(argv + 2, argv + argc);
    pldr::cli::apply_threads_flag(args);
    return it->second.run(args);
  } catch (const pldr::cli::HelpRequested&) {
    pldr::cli::print_help(std::cout, spec);
    return 0;
  } catch (const pldr::cli::UsageError& e) {
    std::cerr << "pldr " << first << ": " << e.what() << "\nusage: pldr " << spec.name << " " << spec.synopsis
              << "\n(pldr " << first << " --help lists every flag)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "pldr " << first << ": error: " << e.what() << "\n";
    return 1;
  }
}
