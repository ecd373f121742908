// pldr eval (--checkpoint CKPT | --hf DIR) --tasks LIST --output R.json | --text FILE: see eval_spec.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "apps/pldr/output_check.h"
#include "apps/pldr/version.h"
#include "eval/evaluate.h"
#include "eval/rolling.h"
#include "io/atomic_file.h"

namespace pldr::cli {

const CommandSpec& eval_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{.name = "eval",
                  .synopsis = "(--checkpoint CKPT | --hf DIR) (--tasks LIST --output R.json | --text FILE) [flags]",
                  .summary = "zero-shot benchmarks as the PLDR lm-eval fork scores them, or perplexity of a text",
                  .flags = model_flags(true)};
    s.notes =
        "Tasks: arc_easy, arc_challenge, hellaswag, piqa, social_iqa, openbookqa, winogrande, truthfulqa_mc2.\n"
        "results.json holds each task's figures, the model, its configuration, the date, the version and the model\n"
        "card's averages: Average-1 over the first 7 tasks, Average-2 with truthfulqa_mc2 (acc_norm where a task\n"
        "has it, else acc; mc2 for TruthfulQA).";
    const std::vector<FlagSpec> own{
        {"tasks", "LIST", "", "comma-separated task names", {}},
        {"output", "R.json", "", "the results (required with --tasks)", {"-o", "--output_path"}},
        {"samples", "S.jsonl", "", "one JSON line per scored item", {}},
        {"log_samples", "", "", "write the samples beside --output (R.samples.jsonl), as lm-eval does", {}},
        {"limit", "N", "all items", "score the first N items of each task", {}},
        {"batch-size", "B", "1", "requests per padded batch (the same scores as alone)", {"--batch_size"}},
        {"num_fewshot", "0", "0", "few-shot examples: zero only (lm-eval's flag, for familiar commands)", {}},
        {"data-dir", "DIR", PLDR_EVAL_DATA_DIR, "the benchmark files", {}},
        {"text", "FILE", "", "perplexity and bits per byte of a text in rolling windows", {}},
        {"window", "W", "the training context, else positions - 1", "--text: tokens per window", {}},
        {"G", "FILE", "", "run on the fixed G of FILE (G_LM/layer{i}, as pldr inspect writes it)", {}},
        weights_flag(),
        threads_flag()};
    s.flags.insert(s.flags.end(), own.begin(), own.end());
    return s;
  }();
  return spec;
}

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

bool is_mc2(const eval::TaskResult& t) { return t.task == "truthfulqa_mc2"; }

json result_json(const eval::TaskResult& t) {
  const char* name = is_mc2(t) ? "mc2" : "acc";
  json j{{"items", t.items}, {name, t.acc.value}, {std::string(name) + "_stderr", t.acc.stderr_}};
  if (t.acc_norm) {
    j["acc_norm"] = t.acc_norm->value;
    j["acc_norm_stderr"] = t.acc_norm->stderr_;
  }
  return j;
}

// The model card's averages: Average-1 over its seven tasks, Average-2 with TruthfulQA (mc2), each
// task by acc_norm where it has one, else acc. Only averages whose tasks were all run are given.
json averages(const std::vector<eval::TaskResult>& results) {
  static const std::vector<std::string> seven{"arc_challenge", "arc_easy",   "hellaswag", "openbookqa",
                                              "piqa",          "social_iqa", "winogrande"};
  std::map<std::string, double> headline;
  for (const eval::TaskResult& t : results) headline[t.task] = t.acc_norm ? t.acc_norm->value : t.acc.value;
  json out = json::object();
  auto average = [&](const std::vector<std::string>& tasks) -> std::optional<double> {
    double sum = 0;
    for (const std::string& task : tasks) {
      if (!headline.count(task)) return std::nullopt;
      sum += headline[task];
    }
    return sum / double(tasks.size());
  };
  if (const auto a1 = average(seven)) out["Average-1"] = *a1;
  std::vector<std::string> eight = seven;
  eight.push_back("truthfulqa_mc2");
  if (const auto a2 = average(eight)) out["Average-2"] = *a2;
  return out;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

void print_table(const std::vector<eval::TaskResult>& results, const json& avg) {
  std::printf("%-16s %6s %17s %17s\n", "task", "items", "acc (mc2)", "acc_norm");
  for (const eval::TaskResult& t : results) {
    std::printf("%-16s %6ld %8.4f ± %6.4f", (is_mc2(t) ? t.task + " mc2" : t.task).c_str(), long(t.items), t.acc.value,
                t.acc.stderr_);
    if (t.acc_norm) std::printf(" %8.4f ± %6.4f\n", t.acc_norm->value, t.acc_norm->stderr_);
    else std::printf(" %17s\n", "-");
  }
  for (const auto& [name, value] : avg.items()) std::printf("%-16s %6s %8.4f\n", name.c_str(), "", value.get<double>());
}

eval::ScoringOptions scoring_options(const Flags& flags, const std::string& what) {
  eval::ScoringOptions o;
  o.batch_size = flags.get_int("batch-size", 1);
  if (o.batch_size < 1) throw UsageError("--batch-size must be at least 1");
  // On a terminal the count is rewritten in place; in a log, a line at each tenth.
  o.progress = [what, tty = bool(isatty(STDERR_FILENO)), shown = int64_t(-1)](int64_t done, int64_t total) mutable {
    if (tty) {
      std::fprintf(stderr, "\r%s: %ld/%ld requests", what.c_str(), long(done), long(total));
      if (done == total) std::fprintf(stderr, "\n");
    } else if (const int64_t tenth = total > 0 ? done * 10 / total : 10; tenth != shown) {
      shown = tenth;
      std::fprintf(stderr, "%s: %ld/%ld requests\n", what.c_str(), long(done), long(total));
    }
  };
  return o;
}

int evaluate_text(const LoadedModel& m, const Flags& flags) {
  const std::string path = flags.require("text");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open text file " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const PldrConfig& config = m.checkpoint.config.model;
  // By default the context the model was trained on (where the checkpoint says), else its positions.
  const int64_t trained = flags.has("checkpoint") ? m.checkpoint.config.data.context : 0;
  const int64_t fallback =
      std::min<int64_t>(eval::default_max_length(config) - 1, trained > 0 ? trained : config.max_position_embeddings);
  const int64_t window = flags.get_int("window", fallback);
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
  std::printf("%s: %ld tokens, %ld bytes, %ld windows of %ld%s: token perplexity %.4f, bits per byte %.4f\n",
              path.c_str(), long(s.tokens), long(s.bytes), long(s.windows), long(window),
              flags.has("window") ? ""
              : trained > 0       ? " (the training context; --window W to change)"
                                  : " (the model's positions; --window W to change)",
              s.token_perplexity(), s.bits_per_byte());
  if (flags.has("output")) io::write_file_atomically(flags.get("output", ""), j.dump(2) + "\n");
  return 0;
}

// The run's description in results.json: the model, its configuration, the date, the version.
json run_description(const Flags& flags, const LoadedModel& m, int64_t limit) {
  json config = m.checkpoint.config.model.to_json();
  return {{"model", flags.has("checkpoint") ? json{{"checkpoint", flags.get("checkpoint", "")}}
                                            : json{{"hf", flags.get("hf", "")}}},
          {"config", config},
          {"date", utc_now()},
          {"pldr_version", version()},
          {"limit", limit > 0 ? json(limit) : json(nullptr)},
          {"batch_size", flags.get_int("batch-size", 1)},
          {"num_fewshot", 0}};
}

}  // namespace

int cmd_eval(const Args& args) {
  const Flags flags(args, eval_spec());
  if (flags.has("tasks") == flags.has("text")) throw UsageError("give one of --tasks LIST or --text FILE");
  const std::vector<std::string> names =
      flags.has("tasks") ? split_commas(flags.get("tasks", "")) : std::vector<std::string>{};
  if (flags.has("tasks") && !flags.has("output")) throw UsageError("missing required flag --output");
  if (flags.get_int("num_fewshot", 0) != 0)
    throw UsageError("--num_fewshot: only zero-shot evaluation (0) is supported");
  const int64_t limit = flags.get_int("limit", 0);
  if (flags.has("limit") && limit <= 0) throw UsageError("--limit must be positive (leave it out for every item)");
  std::string samples_path = flags.get("samples", "");
  if (flags.on("log_samples") && samples_path.empty()) {
    const std::string out = flags.require("output");
    samples_path = (out.size() > 5 && out.ends_with(".json") ? out.substr(0, out.size() - 5) : out) + ".samples.jsonl";
  }
  // Everything is checked before the long part: the files it will write, the tasks, the model.
  if (flags.has("output")) check_can_write(flags.get("output", ""), "--output");
  if (!samples_path.empty()) check_can_write(samples_path, "--samples");
  const std::string data_dir = flags.get("data-dir", PLDR_EVAL_DATA_DIR);
  std::vector<eval::Task> tasks;
  for (const std::string& name : names) tasks.push_back(eval::load_task(name, data_dir));

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
  json report = run_description(flags, m, limit);
  report["results"] = results;
  report["averages"] = averages(table);
  io::write_file_atomically(flags.get("output", ""), report.dump(2) + "\n");
  if (!samples_path.empty()) io::write_file_atomically(samples_path, samples);
  print_table(table, report["averages"]);
  return 0;
}

}  // namespace pldr::cli
