// pldr invariance (--checkpoint CKPT | --hf DIR) --prompts FILE -o REPORT.json [--max-new-tokens N]
// [--svg CHART.svg] [--tokenizer MODEL] [--token-ids] [--task NAME [--task-limit N] [--data-dir DIR]]:
// the G-cache invariance experiment (eval/gcache_invariance.h) on one prompt per non-empty line of
// FILE (text, or with --token-ids whitespace-separated ids); writes the JSON report and an SVG of
// the per-layer mean RMSE by step. The model comes from apps/pldr/model_loading.h (--checkpoint or
// a Hugging Face folder, --hf). With --task, the first N documents (default 20) of an eval task
// (eval/tasks.h, data as `pldr eval` reads it) are scored with the KV+G cache and in the fork's
// one pass without it (eval/loglikelihood.h); acc, acc_norm and n of both go under "eval".
#include <cstdio>
#include <fstream>
#include <optional>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "eval/evaluate.h"
#include "eval/gcache_invariance.h"
#include "io/atomic_file.h"
#include "io/svg_line_chart.h"

namespace pldr::cli {

namespace {

std::vector<std::string> read_prompts(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the prompts file");
  std::vector<std::string> prompts;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) prompts.push_back(line);
  if (prompts.empty()) throw std::runtime_error(path + ": no prompts (one a line)");
  return prompts;
}

// The model under study and, for text prompts, its tokenizer.
struct Subject {
  std::unique_ptr<PldrModel> model;
  std::optional<data::Tokenizer> tokenizer;
};

Subject load_subject(const Flags& flags, bool needs_tokenizer) {
  Subject s;
  if (!needs_tokenizer) {
    s.model = std::move(load_model(flags).model);
    return s;
  }
  LoadedModel m = load_model_and_tokenizer(flags);
  s.model = std::move(m.checkpoint.model);
  s.tokenizer.emplace(std::move(m.tokenizer));
  return s;
}

std::string chart(const eval::InvarianceReport& report) {
  std::vector<io::Panel> panels;
  for (const char* which : {"A", "A_LM", "G_LM"}) {
    io::Panel panel{std::string(which) + ": uncached vs G-cache", "generation step", "mean RMSE over heads", true, {}};
    const std::vector<std::vector<double>> rmse = report.mean_rmse(which);
    for (size_t l = 0; l < rmse.size(); ++l) {
      io::Series s{"layer " + std::to_string(l), {}, rmse[l]};
      for (size_t step = 0; step < rmse[l].size(); ++step) s.x.push_back(double(step));
      panel.series.push_back(s);
    }
    panels.push_back(panel);
  }
  return io::render_svg(panels);
}

const char* mode_name(CacheMode mode) { return mode == CacheMode::KVG ? "with the G-cache" : "without a cache"; }

// The hook of eval::InvarianceOptions: `task`'s first `limit` documents scored in the given mode.
std::function<nlohmann::json(const PldrModel&, CacheMode)> task_scores(const eval::Task& task,
                                                                       const data::Tokenizer& tokenizer,
                                                                       int64_t limit) {
  return [&task, &tokenizer, limit](const PldrModel& model, CacheMode mode) {
    eval::ScoringOptions o;
    o.cache = mode;
    o.progress = [&task, mode](int64_t done, int64_t total) {
      std::fprintf(stderr, "\r%s %s: %ld/%ld requests", task.name.c_str(), mode_name(mode), long(done), long(total));
      if (done == total) std::fprintf(stderr, "\n");
    };
    const eval::TaskResult r = eval::evaluate_task(model, tokenizer, task, limit, o).result;
    nlohmann::json j{{"task", task.name}, {"n", r.items}, {"acc", r.acc.value}, {"acc_stderr", r.acc.stderr_}};
    if (r.acc_norm) {
      j["acc_norm"] = r.acc_norm->value;
      j["acc_norm_stderr"] = r.acc_norm->stderr_;
    }
    return j;
  };
}

}  // namespace

int cmd_invariance(const Args& args) {
  const Flags flags(args,
                    {"checkpoint", "hf", "dtype", "prompts", "tokenizer", "output", "max-new-tokens", "svg", "task",
                     "task-limit", "data-dir", "G"},
                    {"token-ids"});
  const std::string out = flags.require("output"), prompts_path = flags.require("prompts");
  eval::InvarianceOptions options;
  options.max_new_tokens = flags.get_int("max-new-tokens", 16);
  if (options.max_new_tokens <= 0) throw UsageError("--max-new-tokens must be positive");
  const std::string svg =
      flags.get("svg", out.substr(0, out.rfind('.') == std::string::npos ? out.size() : out.rfind('.')) + ".svg");
  const bool token_ids = flags.on("token-ids");
  std::optional<eval::Task> task;  // read before the model loads, so a bad name or file fails fast
  if (flags.has("task")) task = eval::load_task(flags.get("task", ""), flags.get("data-dir", PLDR_EVAL_DATA_DIR));
  const int64_t task_limit = flags.get_int("task-limit", 20);
  if (task_limit <= 0) throw UsageError("--task-limit must be positive");
  const Subject subject = load_subject(flags, !token_ids || task);
  if (task) options.eval_scores = task_scores(*task, *subject.tokenizer, task_limit);
  const PldrConfig& c = subject.model->config();
  std::vector<std::vector<int32_t>> prompts;
  for (const std::string& line : read_prompts(prompts_path)) {
    prompts.push_back(token_ids ? parse_token_ids(line, c.vocab_size, "--token-ids")
                                : subject.tokenizer->encode_prompt(line));
    if (prompts.back().size() + options.max_new_tokens > static_cast<size_t>(c.max_position_embeddings))
      throw UsageError("a prompt of " + std::to_string(prompts.back().size()) +
                       " tokens plus --max-new-tokens exceeds the model's " +
                       std::to_string(c.max_position_embeddings) + " positions");
  }
  std::fprintf(stderr, "invariance: %zu prompts, %ld steps each\n", prompts.size(), long(options.max_new_tokens));
  const eval::InvarianceReport report = eval::gcache_invariance(*subject.model, prompts, options);
  const nlohmann::json json = report.to_json();
  io::write_file_atomically(out, json.dump(2) + "\n");
  io::write_file_atomically(svg, chart(report));
  const nlohmann::json& summary = json["summary"];
  std::printf(
      "tokens identical with and without the G-cache: %s\nworst G_LM RMSE %.3g, max |diff| %.3g\nwrote %s and %s\n",
      summary["tokens_identical"].get<bool>() ? "yes" : "no", summary["worst"]["G_LM"]["rmse"].get<double>(),
      summary["worst"]["G_LM"]["max_abs"].get<double>(), out.c_str(), svg.c_str());
  if (task) {
    const nlohmann::json &cached = report.eval["kvg_cache"], &uncached = report.eval["no_cache"];
    std::printf("%s, %ld items: acc %.4f with the G-cache, %.4f without", task->name.c_str(),
                long(cached["n"].get<int64_t>()), cached["acc"].get<double>(), uncached["acc"].get<double>());
    if (cached.contains("acc_norm"))
      std::printf("; acc_norm %.4f with, %.4f without", cached["acc_norm"].get<double>(),
                  uncached["acc_norm"].get<double>());
    std::printf("\n");
  }
  return 0;
}

}  // namespace pldr::cli
