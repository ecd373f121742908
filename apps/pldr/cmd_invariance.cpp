// pldr invariance (--checkpoint CKPT | --hf DIR) --prompts FILE -o REPORT.json [--max-new-tokens N]
// [--svg CHART.svg] [--tokenizer MODEL] [--token-ids]: the G-cache invariance experiment
// (pldr/gcache_invariance.h) on one prompt per non-empty line of FILE (text, or with --token-ids
// whitespace-separated ids); writes the JSON report and an SVG of the per-layer mean RMSE by step.
// The model comes from apps/pldr/model_loading.h (--checkpoint or a Hugging Face folder, --hf).
// Task scores with and without the cache: InvarianceOptions::eval_scores is the hook for
// `pldr eval` once it exists; until then the report has no "eval" entry.
#include <cstdio>
#include <fstream>
#include <optional>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "io/atomic_file.h"
#include "io/svg_line_chart.h"
#include "pldr/gcache_invariance.h"

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

Subject load_subject(const Flags& flags, bool token_ids) {
  Subject s;
  if (token_ids) {
    s.model = std::move(load_model(flags).model);
    return s;
  }
  LoadedModel m = load_model_and_tokenizer(flags);
  s.model = std::move(m.checkpoint.model);
  s.tokenizer.emplace(std::move(m.tokenizer));
  return s;
}

std::string chart(const InvarianceReport& report) {
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

}  // namespace

int invariance(const Args& args) {
  const Flags flags(args, {"checkpoint", "hf", "dtype", "prompts", "tokenizer", "output", "max-new-tokens", "svg"}, {"token-ids"});
  const std::string out = flags.require("output"), prompts_path = flags.require("prompts");
  InvarianceOptions options;
  options.max_new_tokens = flags.get_int("max-new-tokens", 16);
  if (options.max_new_tokens <= 0) throw UsageError("--max-new-tokens must be positive");
  const std::string svg = flags.get("svg", out.substr(0, out.rfind('.') == std::string::npos ? out.size() : out.rfind('.')) + ".svg");
  const bool token_ids = flags.on("token-ids");
  const Subject subject = load_subject(flags, token_ids);
  const PldrConfig& c = subject.model->config();
  std::vector<std::vector<int32_t>> prompts;
  for (const std::string& line : read_prompts(prompts_path)) {
    prompts.push_back(token_ids ? parse_token_ids(line, c.vocab_size, "--token-ids") : subject.tokenizer->encode_prompt(line));
    if (prompts.back().size() + options.max_new_tokens > static_cast<size_t>(c.max_position_embeddings))
      throw UsageError("a prompt of " + std::to_string(prompts.back().size()) + " tokens plus --max-new-tokens exceeds the model's " +
                       std::to_string(c.max_position_embeddings) + " positions");
  }
  std::fprintf(stderr, "invariance: %zu prompts, %ld steps each\n", prompts.size(), long(options.max_new_tokens));
  const InvarianceReport report = gcache_invariance(*subject.model, prompts, options);
  const nlohmann::json json = report.to_json();
  io::write_file_atomically(out, json.dump(2) + "\n");
  io::write_file_atomically(svg, chart(report));
  const nlohmann::json& summary = json["summary"];
  std::printf("tokens identical with and without the G-cache: %s\nworst G_LM RMSE %.3g, max |diff| %.3g\nwrote %s and %s\n",
              summary["tokens_identical"].get<bool>() ? "yes" : "no", summary["worst"]["G_LM"]["rmse"].get<double>(),
              summary["worst"]["G_LM"]["max_abs"].get<double>(), out.c_str(), svg.c_str());
  return 0;
}

}  // namespace pldr::cli
