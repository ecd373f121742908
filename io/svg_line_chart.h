// A dependency-free SVG writer for line charts: a grid of panels, each with axes, "nice" ticks
// (1, 2, 5 x 10^k), gridlines, a legend and one polyline per series. Non-finite points are skipped.
#pragma once
#include <string>
#include <vector>

namespace pldr::io {

struct Series {
  std::string label;
  std::vector<double> x, y;
};

struct Panel {
  std::string title, x_label, y_label;
  bool log_y = false;  // non-positive values are skipped on a log axis
  std::vector<Series> series;
};

// Panels are laid out in rows of `columns`.
std::string render_svg(const std::vector<Panel>& panels, int columns = 2, int panel_width = 520,
                       int panel_height = 320);

// Tick values covering [lo, hi] with about `target` steps of 1, 2 or 5 x 10^k.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

}  // namespace pldr::io
