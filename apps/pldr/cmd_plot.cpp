// pldr plot METRICS.jsonl -o CURVES.svg: training and validation loss, bits per character,
// learning rate, DAG terms, accuracy and throughput against steps.
// pldr plot RUN1/metrics.jsonl RUN2/metrics.jsonl ... -o COMPARISON.svg [--table RESULTS.md]: the
// runs side by side (io/run_comparison.h), each named after its folder; --table writes their final
// numbers as a Markdown table.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "io/atomic_file.h"
#include "io/metrics_log.h"
#include "io/run_comparison.h"

namespace pldr::cli {

int cmd_plot(const Args& args) {
  const Flags flags(args, {"output", "table"}, {});
  if (flags.positionals().empty()) throw UsageError("plot takes metrics.jsonl files");
  const std::string out = flags.require("output");
  std::vector<io::NamedRun> runs;
  for (const std::string& path : flags.positionals()) {
    runs.push_back({std::filesystem::path(path).parent_path().filename().string(), io::read_metrics(path)});
    if (runs.back().table.columns.empty()) throw std::runtime_error(path + " holds no metrics");
  }
  if (runs.size() == 1 && flags.has("table")) throw UsageError("--table compares several runs");
  if (flags.has("table")) io::write_file_atomically(flags.require("table"), io::results_table(runs));
  const std::string svg =
      io::render_svg(runs.size() == 1 ? io::training_curve_panels(runs[0].table) : io::comparison_panels(runs));
  io::write_atomically(out, [&](const std::string& tmp) {
    std::ofstream f(tmp);
    f << svg;
    if (!f.flush()) throw std::runtime_error("cannot write " + tmp);
  });
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

}  // namespace pldr::cli
