// pldr plot METRICS.jsonl... -o CURVES.svg|.png: one run's training curves (loss, bits per
// character, learning rate, DAG terms, accuracy, throughput, deductive statistics), or several runs
// overlaid; --table writes the runs' final numbers as a Markdown table, --summary a row per variant over its seeds
// (io/run_comparison.h, io/seed_summary.h). The title names the run and its key settings, read from run_config.json
// beside the metrics. Flags: plot_spec.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/output_check.h"
#include "io/atomic_file.h"
#include "io/metrics_log.h"
#include "io/run_comparison.h"
#include "io/seed_summary.h"
#include "io/svg_to_png.h"

namespace pldr::cli {

namespace fs = std::filesystem;

const CommandSpec& plot_spec() {
  static const CommandSpec spec{
      .name = "plot",
      .synopsis = "METRICS.jsonl... -o CURVES.svg|CURVES.png",
      .summary = "draw a run's training curves, or overlay several runs",
      .flags = {{"output", "FILE", "", "the chart: SVG, or PNG when the name ends in .png", {"-o"}},
                {"title", "TEXT", "the run's name and settings", "the figure's title", {}},
                {"table", "FILE", "", "several runs: their final numbers as a Markdown table", {}},
                {"summary",
                 "FILE",
                 "",
                 "runs in seed<k>/ folders: a Markdown table per variant, mean and spread over the seeds (with "
                 "each run's invariance.json)",
                 {}},
                threads_flag()},
      .positionals = "one or more metrics.jsonl files",
      .min_positionals = 1,
      .max_positionals = 64,
      .notes =
          "With several files, each panel has a series per run (named by its folder): the ablation's "
          "comparison."};
  return spec;
}

namespace {

// A run's name: the folder of its metrics.jsonl, followed by "/seed<k>" when that folder is inside
// one named seed<k> (scripts/reproduce.sh's layout, which --summary groups by variant).
std::string run_name(const std::string& metrics_path) {
  const fs::path folder = fs::absolute(metrics_path).parent_path();
  const std::string parent = folder.parent_path().filename().string();
  const bool seeded = parent.size() > 4 && parent.rfind("seed", 0) == 0 &&
                      parent.find_first_not_of("0123456789", 4) == std::string::npos;
  return folder.filename().string() + (seeded ? "/" + parent : "");
}

// "name: 4 layers, d 192, 6 heads, ..." from run_config.json beside the metrics, when it is there.
std::string describe_run(const std::string& metrics_path) {
  const std::string name = run_name(metrics_path);
  std::ifstream in(fs::path(metrics_path).parent_path() / "run_config.json");
  const nlohmann::json c = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
  if (!c.is_object() || !c.contains("model")) return name;
  const nlohmann::json &m = c["model"], &d = c.value("data", nlohmann::json::object()),
                       &t = c.value("training", nlohmann::json::object()),
                       &o = c.value("optimizer", nlohmann::json::object());
  auto get = [](const nlohmann::json& j, const char* key) { return j.contains(key) ? j[key].dump() : "?"; };
  const nlohmann::json g = m.value("custom_G_type", nlohmann::json());
  return name + ": " + get(m, "num_hidden_layers") + " layers, d " + get(m, "hidden_size") + ", " +
         get(m, "num_attention_heads") + " heads, G " + (g.is_string() ? g.get<std::string>() : "learned") + "; " +
         get(t, "steps") + " steps of " + get(d, "batch_size") + "x" + get(d, "context") + ", lr " + get(o, "lr") +
         ", " + (t.contains("dtype") ? t["dtype"].get<std::string>() : "float32");
}

}  // namespace

int cmd_plot(const Args& args) {
  const Flags flags(args, plot_spec());
  const std::string out = flags.require("output");
  const bool png = out.size() > 4 && out.substr(out.size() - 4) == ".png";
  if (png && !io::png_supported()) io::write_svg_as_png(out, "");  // throws saying what is missing
  check_can_write(out, "--output");
  if (flags.has("table")) check_can_write(flags.require("table"), "--table");
  if (flags.has("summary")) check_can_write(flags.require("summary"), "--summary");
  const std::vector<std::string>& files = flags.positionals();
  std::vector<std::pair<std::string, io::MetricsTable>> runs;
  for (const std::string& path : files) {
    runs.emplace_back(files.size() > 1 ? run_name(path) : path, io::read_metrics(path));
    if (runs.back().second.columns.empty()) throw std::runtime_error(path + " holds no metrics");
  }
  for (size_t i = 0; i < runs.size(); ++i)  // two runs in folders of the same name: their paths
    for (size_t j = 0; j < runs.size(); ++j)
      if (i != j && runs[i].first == run_name(files[j])) runs[i].first = files[i];
  std::string title = flags.get("title", "");
  if (title.empty() && files.size() == 1) title = describe_run(files[0]);
  std::vector<std::string> variants;  // runs in seed<k>/ folders: one colour per variant
  for (const auto& [name, table] : runs)
    if (std::find(variants.begin(), variants.end(), io::variant_of(name)) == variants.end())
      variants.push_back(io::variant_of(name));
  if (title.empty() && variants.size() < runs.size())
    title = std::to_string(variants.size()) + " variants, " + std::to_string(runs.size()) +
            " runs: a colour per variant, a line style per seed";
  if (title.empty())
    for (const auto& [name, table] : runs) title += (title.empty() ? "" : " vs ") + name;
  if (flags.has("table")) {
    if (runs.size() == 1) throw UsageError("--table compares several runs");
    std::vector<io::NamedRun> named;
    for (const auto& [name, table] : runs) named.push_back({name, table});
    io::write_file_atomically(flags.require("table"), io::results_table(named));
  }
  if (flags.has("summary")) {
    std::vector<io::SeededRun> seeded;
    for (size_t i = 0; i < runs.size(); ++i) {
      const fs::path report = fs::path(files[i]).parent_path() / "invariance.json";
      seeded.push_back({runs[i].first, runs[i].second, std::nullopt});
      if (fs::exists(report)) seeded.back().invariance = io::read_invariance_summary(report.string());
    }
    io::write_file_atomically(flags.require("summary"), io::seed_summary_table(seeded));
  }
  const std::vector<io::Panel> panels =
      files.size() == 1 ? io::training_curve_panels(runs[0].second) : io::comparison_panels(runs);
  const std::string svg = io::render_svg(panels, 2, 600, 320, title);
  if (png) {
    io::write_svg_as_png(out, svg);
  } else {
    io::write_atomically(out, [&](const std::string& tmp) {
      std::ofstream f(tmp);
      f << svg;
      if (!f.flush()) throw std::runtime_error("cannot write " + tmp);
    });
  }
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

}  // namespace pldr::cli
