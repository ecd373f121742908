// pldr: train, run, inspect and verify PLDR-LLMs.
#include <exception>
#include <functional>
#include <iostream>
#include <map>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/threads_flag.h"
#include "tensor/memory_policy.h"
#include "tensor/wait_policy.h"

namespace {

struct Command {
  std::function<int(const pldr::cli::Args&)> run;
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table {
#if PLDR_APP_FULL
    {"tokenizer",
     {pldr::cli::cmd_tokenizer, "train FILES... --vocab-size N --output PREFIX     train a SentencePiece tokenizer"}},
        {"prepare",
         {pldr::cli::cmd_prepare,
          "FILES... --tokenizer M --output PREFIX [...]      text or JSON lines to token files"}},
        {"train",
         {pldr::cli::cmd_train, "--config RUN.json [section.key=value ...]          train (or --resume CKPT)"}},
        {"generate",
         {pldr::cli::cmd_generate, "(--checkpoint CKPT | --hf DIR) --prompt TEXT [...] sample text (or --ids 2,15,7)"}},
        {"eval",
         {pldr::cli::cmd_eval,
          "(--checkpoint CKPT | --hf DIR) --tasks LIST --output R.json  zero-shot benchmarks (or --text FILE)"}},
        {"inspect",
         {pldr::cli::cmd_inspect, "(--checkpoint CKPT | --hf DIR) --prompt TEXT -o OUT.h5  deductive outputs"}},
        {"invariance",
         {pldr::cli::cmd_invariance,
          "--checkpoint CKPT|--hf DIR --prompts FILE -o R.json [--task T]  G-cache invariance"}},
        {"convert",
         {pldr::cli::cmd_convert,
          "--hf DIR -o MODEL.h5 [--dtype float32|float64]   Hugging Face folder to checkpoint"}},
        {"export",
         {pldr::cli::cmd_export,
          "CKPT -o DIR                                       checkpoint to Hugging Face folder"}},
        {"plot", {pldr::cli::cmd_plot, "METRICS.jsonl -o CURVES.svg                       draw training curves"}},
        {"transfer",
         {pldr::cli::cmd_transfer, "--checkpoint CKPT --G FILE -o NEW.h5 [...]         v510Gi: weights on a fixed G"}},
        {"verify-golden",
         {pldr::cli::cmd_verify_golden,
          "FILE.h5 [--dtype float64|float32]                 compare with the reference"}},
#else  // a build without HDF5 and SentencePiece
    {"generate",
     {pldr::cli::cmd_generate, "--hf DIR --prompt TEXT [...]                      sample text (or --ids 2,15,7)"}},
        {"eval",
         {pldr::cli::cmd_eval,
          "--hf DIR --tasks LIST --output R.json                 zero-shot benchmarks (or --text FILE)"}},
#endif
  };
  return table;
}

void print_usage(std::ostream& out) {
  out << "usage: pldr COMMAND [ARGS]\n\ncommands:\n";
  for (const auto& [name, c] : commands()) out << "  " << name << " " << c.summary << "\n";
  out << "\nevery command takes --threads N (or PLDR_NUM_THREADS=N): the CPU threads it runs on\n";
}

}  // namespace

int main(int argc, char** argv) {
  pldr::sleep_idle_threads(argv);  // may run this program again, with OMP_WAIT_POLICY=passive
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const std::string name = argv[1];
  auto it = commands().find(name);
  if (it == commands().end()) {
    std::cerr << "pldr: unknown command '" << name << "'\n";
    print_usage(std::cerr);
    return 2;
  }
  pldr::retain_freed_memory();  // training reuses the same buffers every step
  try {
    pldr::cli::Args args(argv + 2, argv + argc);
    pldr::cli::apply_threads_flag(args);
    return it->second.run(args);
  } catch (const pldr::cli::UsageError& e) {
    std::cerr << "pldr " << name << ": " << e.what() << "\nusage: pldr " << name << " " << it->second.summary << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "pldr " << name << ": error: " << e.what() << "\n";
    return 1;
  }
}
