// pldr plot METRICS.jsonl -o CURVES.svg: training and validation loss, bits per character,
// learning rate, DAG terms, accuracy and throughput against steps.
#include <cstdio>
#include <fstream>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "io/atomic_file.h"
#include "io/metrics_log.h"

namespace pldr::cli {

int cmd_plot(const Args& args) {
  const Flags flags(args, {"output"}, {});
  if (flags.positionals().size() != 1) throw UsageError("plot takes one metrics.jsonl file");
  const std::string out = flags.require("output");
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
