// pldr plot METRICS.jsonl -o CURVES.svg: training and validation loss, bits per character,
// learning rate, DAG terms, accuracy and throughput against steps. Flags: plot_spec.
#include <cstdio>
#include <fstream>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/output_check.h"
#include "io/atomic_file.h"
#include "io/metrics_log.h"

namespace pldr::cli {

const CommandSpec& plot_spec() {
  static const CommandSpec spec{.name = "plot",
                                .synopsis = "METRICS.jsonl -o CURVES.svg",
                                .summary = "draw a run's training curves",
                                .flags = {{"output", "CURVES.svg", "", "the SVG to write", {"-o"}}, threads_flag()},
                                .positionals = "one metrics.jsonl file",
                                .min_positionals = 1,
                                .max_positionals = 1};
  return spec;
}

int cmd_plot(const Args& args) {
  const Flags flags(args, plot_spec());
  const std::string out = flags.require("output");
  check_can_write(out, "--output");
  const io::MetricsTable table = io::read_metrics(flags.positionals()[0]);
  if (table.columns.empty()) throw std::runtime_error(flags.positionals()[0] + " holds no metrics");
  const std::string svg = io::render_svg(io::training_curve_panels(table));
  io::write_atomically(out, [&](const std::string& tmp) {
    std::ofstream f(tmp);
    f << svg;
    if (!f.flush()) throw std::runtime_error("cannot write " + tmp);
  });
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

}  // namespace pldr::cli
