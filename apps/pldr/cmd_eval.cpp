// pldr eval (--checkpoint CKPT | --hf DIR) [--tokenizer MODEL]
//   --tasks arc_easy,hellaswag,... [--limit N] [--batch-size B] [--device cpu|cuda] [--data-dir DIR]
//   --output results.json [--samples samples.jsonl]
// pldr eval (--checkpoint CKPT | --hf DIR) --text FILE [--window W] [--batch-size B] [--output results.json]
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "eval/evaluate.h"
#include "eval/rolling.h"
#include "io/atomic_file.h"

namespace pldr::cli {

namespace {

using nlohmann::json;

std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');)
    if (!name.empty()) names.push_back(name);
  if (names.empty()) throw UsageError("--tasks names no task");
  return names;
}

json sample_line(const eval::ItemResult& r) {
  json j{{"task", r.task}, {"doc_id", r.doc_id}, {"loglikelihoods", r.loglikelihoods}, {"lengths", r.lengths}};
  if (r.mc2_labels.empty()) j["label"] = r.gold;
  else j["label"] = r.mc2_labels;
  j["acc"] = r.acc;
  j["acc_norm"] = r.acc_norm ? json(*r.acc_norm) : json(nullptr);
  return j;
}

json result_json(const eval::TaskResult& t) {
  json j{{"items", t.items}, {"acc", t.acc.value}, {"acc_stderr", t.acc.stderr_}};
  if (t.acc_norm) {
    j["acc_norm"] = t.acc_norm->value;
    j["acc_norm_stderr"] = t.acc_norm->stderr_;
  }
  return j;
}

void print_table(const std::vector<eval::TaskResult>& results) {
  std::printf("%-16s %6s %17s %17s\n", "task", "items", "acc", "acc_norm");
  for (const eval::TaskResult& t : results) {
    std::printf("%-16s %6ld %8.4f ± %6.4f", t.task.c_str(), long(t.items), t.acc.value, t.acc.stderr_);
    if (t.acc_norm) std::printf(" %8.4f ± %6.4f\n", t.acc_norm->value, t.acc_norm->stderr_);
    else std::printf(" %17s\n", "-");
  }
}

eval::ScoringOptions scoring_options(const Flags& flags, const std::string& what) {
  eval::ScoringOptions o;
  o.batch_size = flags.get_int("batch-size", 1);
  if (o.batch_size < 1) throw UsageError("--batch-size must be at least 1");
  o.progress = [what](int64_t done, int64_t total) {
    std::fprintf(stderr, "\r%s: %ld/%ld requests", what.c_str(), long(done), long(total));
    if (done == total) std::fprintf(stderr, "\n");
  };
  return o;
}

int evaluate_text(const LoadedModel& m, const Flags& flags) {
  const std::string path = flags.require("text");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open text file " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const PldrConfig& config = m.checkpoint.config.model;
  const int64_t window = flags.get_int("window", eval::default_max_length(config) - 1);
  if (window < 1 || window > config.max_position_embeddings)
    throw UsageError("--window must be between 1 and the model's " + std::to_string(config.max_position_embeddings) +
                     " positions");
  const eval::TextScore s =
      eval::score_text(*m.checkpoint.model, m.tokenizer, text, window, scoring_options(flags, path));
  const json j{{"text", path},
               {"tokens", s.tokens},
               {"bytes", s.bytes},
               {"windows", s.windows},
               {"window", window},
               {"loglikelihood", s.loglikelihood},
               {"token_perplexity", s.token_perplexity()},
               {"byte_perplexity", s.byte_perplexity()},
               {"bits_per_byte", s.bits_per_byte()}};
  std::printf("%s: %ld tokens, %ld bytes, %ld windows of %ld: token perplexity %.4f, bits per byte %.4f\n",
              path.c_str(), long(s.tokens), long(s.bytes), long(s.windows), long(window), s.token_perplexity(),
              s.bits_per_byte());
  if (flags.has("output")) io::write_file_atomically(flags.get("output", ""), j.dump(2) + "\n");
  return 0;
}

}  // namespace

int cmd_eval(const Args& args) {
  const Flags flags(args,
                    {"checkpoint", "hf", "dtype", "tokenizer", "tasks", "limit", "batch-size", "device", "data-dir",
                     "output", "samples", "text", "window", "G"},
                    {});
  if (flags.has("tasks") == flags.has("text")) throw UsageError("give one of --tasks LIST or --text FILE");
  const std::vector<std::string> names =
      flags.has("tasks") ? split_commas(flags.get("tasks", "")) : std::vector<std::string>{};
  if (flags.has("tasks") && !flags.has("output")) throw UsageError("missing required flag --output");
  const std::string data_dir = flags.get("data-dir", PLDR_EVAL_DATA_DIR);
  std::vector<eval::Task> tasks;  // read before the model loads, so a bad name or file fails fast
  for (const std::string& name : names) tasks.push_back(eval::load_task(name, data_dir));
  const int64_t limit = flags.get_int("limit", 0);
  if (limit < 0) throw UsageError("--limit must be positive");

  LoadedModel m = load_model_and_tokenizer(flags);
  if (flags.has("text")) return evaluate_text(m, flags);

  json results = json::object();
  std::vector<eval::TaskResult> table;
  std::string samples;
  for (const eval::Task& task : tasks) {
    const eval::TaskRun run =
        eval::evaluate_task(*m.checkpoint.model, m.tokenizer, task, limit, scoring_options(flags, task.name));
    results[task.name] = result_json(run.result);
    table.push_back(run.result);
    for (const eval::ItemResult& item : run.items) samples += sample_line(item).dump() + "\n";
  }
  io::write_file_atomically(
      flags.get("output", ""),
      json{{"results", results}, {"limit", limit}, {"batch_size", flags.get_int("batch-size", 1)}}.dump(2) + "\n");
  if (flags.has("samples")) io::write_file_atomically(flags.get("samples", ""), samples);
  print_table(table);
  return 0;
}

}  // namespace pldr::cli
