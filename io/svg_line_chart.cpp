#include "io/svg_line_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace pldr::io {

namespace {

const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);  // not %.0e: 150000 and 250000 both printed as 2e+05
  return buf;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
  bool empty() const { return !(lo <= hi); }
  void widen() {  // a single value or a constant series still gets an axis
    if (empty()) lo = 0, hi = 1;
    if (lo == hi) {
      const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
      lo -= pad, hi += pad;
    }
  }
};

bool usable(double x, double y, bool log_y) { return std::isfinite(x) && std::isfinite(y) && (!log_y || y > 0); }

void draw_panel(std::string& svg, const Panel& p, double left, double top, double width, double height) {
  const double ml = 64, mr = 16, mt = 28, mb = 44;  // margins around the plot area
  const double x0 = left + ml, x1 = left + width - mr, y0 = top + height - mb, y1 = top + mt;
  Range xr, yr;
  for (const Series& s : p.series)
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
      if (usable(s.x[i], s.y[i], p.log_y)) xr.add(s.x[i]), yr.add(p.log_y ? std::log10(s.y[i]) : s.y[i]);
  xr.widen();
  yr.widen();
  const std::vector<double> xt = nice_ticks(xr.lo, xr.hi), yt = nice_ticks(yr.lo, yr.hi);
  xr.lo = std::min(xr.lo, xt.front()), xr.hi = std::max(xr.hi, xt.back());
  yr.lo = std::min(yr.lo, yt.front()), yr.hi = std::max(yr.hi, yt.back());
  auto sx = [&](double x) { return x0 + (x - xr.lo) / (xr.hi - xr.lo) * (x1 - x0); };
  auto sy = [&](double y) { return y0 - (y - yr.lo) / (yr.hi - yr.lo) * (y0 - y1); };
  char buf[256];

  std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\">", x0, top + 18);
  svg += buf + escape(p.title) + "</text>\n";
  for (double t : xt) {
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n", sx(t), y0, sx(t), y1);
    svg += buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">", sx(t), y0 + 15);
    svg += buf + number(t) + "</text>\n";
  }
  for (double t : yt) {
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n", x0, sy(t), x1, sy(t));
    svg += buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">", x0 - 5, sy(t) + 4);
    svg += buf + number(p.log_y ? std::pow(10.0, t) : t) + "</text>\n";
  }
  std::snprintf(buf, sizeof buf, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", x0, y1,
                x1 - x0, y0 - y1);
  svg += buf;
  std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">", (x0 + x1) / 2, y0 + 34);
  svg += buf + escape(p.x_label) + "</text>\n";
  std::snprintf(buf, sizeof buf, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">",
                left + 14, (y0 + y1) / 2);
  svg += buf + escape(p.y_label) + "</text>\n";

  for (size_t k = 0; k < p.series.size(); ++k) {
    const Series& s = p.series[k];
    const char* colour = kColours[k % (sizeof kColours / sizeof *kColours)];
    std::string points;
    size_t count = 0;
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!usable(s.x[i], s.y[i], p.log_y)) continue;
      std::snprintf(buf, sizeof buf, "%s%.1f,%.1f", count++ ? " " : "", sx(s.x[i]), sy(p.log_y ? std::log10(s.y[i]) : s.y[i]));
      points += buf;
    }
    svg += std::string("<polyline fill=\"none\" stroke=\"") + colour + "\" stroke-width=\"1.6\" points=\"" + points + "\"/>\n";
    if (count == 1) {  // a lone point would be invisible as a line
      const size_t comma = points.find(',');
      std::snprintf(buf, sizeof buf, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>\n", points.substr(0, comma).c_str(),
                    points.substr(comma + 1).c_str(), colour);
      svg += buf;
    }
    const double ly = y1 + 14 + 16 * double(k);
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">",
                  x1 - 120, ly, x1 - 100, ly, colour, x1 - 95, ly + 4);
    svg += buf + escape(s.label) + "</text>\n";
  }
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo) || !std::isfinite(hi - lo)) return {lo};
  const double raw = (hi - lo) / std::max(target, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= raw * (1 - 1e-9)) {  // tolerant: 1e-5 / 5 is a step of 2e-6, not 5e-6
      step = m * magnitude;
      break;
    }
  // Multiples of the step (not a running sum, whose rounding could fall short of hi and add a
  // tick past it); the tolerances absorb lo / step landing just below an integer.
  std::vector<double> ticks;
  for (double k = std::floor(lo / step + 1e-9); ticks.size() < 1000; k += 1) {
    const double t = k * step;
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    if (t >= hi - step * 1e-9) break;
  }
  return ticks;
}

std::string render_svg(const std::vector<Panel>& panels, int columns, int panel_width, int panel_height) {
  const int rows = panels.empty() ? 1 : (static_cast<int>(panels.size()) + columns - 1) / columns;
  const int width = columns * panel_width, height = rows * panel_height;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(height) + "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (size_t i = 0; i < panels.size(); ++i)
    draw_panel(svg, panels[i], double(int(i) % columns * panel_width), double(int(i) / columns * panel_height), panel_width, panel_height);
  return svg + "</svg>\n";
}

}  // namespace pldr::io
