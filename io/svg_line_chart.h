// A dependency-free SVG writer for line charts: a grid of panels under an optional figure title,
// each with axes, "nice" ticks (1, 2, 5 x 10^k, on log axes too), gridlines, a legend beside the
// plot area (never over the data) and one polyline per series, each series with its own colour or
// line style. Non-finite points are skipped.
#pragma once
#include <string>
#include <vector>

namespace pldr::io {

struct Series {
  std::string label;  // its legend entry; none when empty (e.g. more seeds of a labelled variant)
  std::vector<double> x, y;
  // Style: -1 picks by the series' position (ten colours, then the next line style); a panel can
  // pair them instead, e.g. a colour per layer and a line style per statistic.
  int colour = -1, dash = -1;
};

struct Panel {
  std::string title, x_label, y_label;
  bool log_y = false;  // non-positive values are skipped on a log axis
  std::vector<Series> series;
};

// Panels are laid out in rows of `columns`, under `title` when it is not empty.
std::string render_svg(const std::vector<Panel>& panels, int columns = 2, int panel_width = 600, int panel_height = 320,
                       const std::string& title = "");

// Tick values covering [lo, hi] with about `target` steps of 1, 2 or 5 x 10^k.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

// Ticks of a log axis spanning [lo, hi] (positive values): powers of ten, or 1, 2 and 5 x 10^k
// over less than two decades, or nice_ticks when even those leave fewer than two inside.
std::vector<double> log_ticks(double lo, double hi);

}  // namespace pldr::io
