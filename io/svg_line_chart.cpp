#include "io/svg_line_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace pldr::io {

namespace {

// Ten colours that stay apart (Tableau 10), and line styles for series past ten.
const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
const char* kDashes[] = {"", "7,3", "2,3", "9,3,2,3"};
constexpr int kColourCount = sizeof kColours / sizeof *kColours, kDashCount = sizeof kDashes / sizeof *kDashes;

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

// Width of a text in pixels at a font size, roughly (sans-serif averages about 0.6 em a glyph).
double text_width(const std::string& text, double font_size) { return double(text.size()) * font_size * 0.6; }

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

// A panel's plot area on the page and the value ranges it maps onto it, with the ticks.
struct PlotArea {
  double x0, x1, y0, y1;  // left, right, bottom and top edges of the plot area
  Range xr, yr;           // y values are log10 on a log axis
  std::vector<double> xt, yt;

  double sx(double x) const { return x0 + (x - xr.lo) / (xr.hi - xr.lo) * (x1 - x0); }
  double sy(double y) const { return y0 - (y - yr.lo) / (yr.hi - yr.lo) * (y0 - y1); }
};

// The plot area of a panel at (left, top): inside its margins, the ranges of its usable points
// widened to whole ticks.
// The legend's width beside the plot area: room for the longest label.
double legend_width(const Panel& p) {
  double width = 0;
  for (const Series& s : p.series) width = std::max(width, 36 + text_width(s.label, 11));
  return std::min(width, 220.0);
}

// The text of a y tick.
std::string y_tick_label(const Panel& p, double t) { return number(p.log_y ? std::pow(10.0, t) : t); }

PlotArea plot_area(const Panel& p, double left, double top, double width, double height) {
  const double mt = 28, mb = 44;  // margins above and below the plot area
  PlotArea a{0, 0, top + height - mb, top + mt, {}, {}, {}, {}};
  Range& xr = a.xr;
  Range& yr = a.yr;
  for (const Series& s : p.series)
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
      if (usable(s.x[i], s.y[i], p.log_y)) xr.add(s.x[i]), yr.add(p.log_y ? std::log10(s.y[i]) : s.y[i]);
  xr.widen();
  yr.widen();
  a.xt = nice_ticks(xr.lo, xr.hi);
  if (p.log_y) {
    for (double t : log_ticks(std::pow(10.0, yr.lo), std::pow(10.0, yr.hi))) a.yt.push_back(std::log10(t));
  } else {
    a.yt = nice_ticks(yr.lo, yr.hi);
  }
  // The left margin holds the widest y tick label and, left of it, the rotated axis label.
  double widest = 0;
  for (double t : a.yt) widest = std::max(widest, text_width(y_tick_label(p, t), 11));
  a.x0 = left + 26 + widest + 8;
  a.x1 = std::max(a.x0 + 40, left + width - 12 - legend_width(p));
  xr.lo = std::min(xr.lo, a.xt.front()), xr.hi = std::max(xr.hi, a.xt.back());
  yr.lo = std::min(yr.lo, a.yt.front()), yr.hi = std::max(yr.hi, a.yt.back());
  return a;
}

// The title, the gridlines and tick labels, the frame and the axis labels.
void draw_axes(std::string& svg, const Panel& p, const PlotArea& a, double left, double top) {
  const double x0 = a.x0, x1 = a.x1, y0 = a.y0, y1 = a.y1;
  char buf[256];
  std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\">", x0, top + 18);
  svg += buf + escape(p.title) + "</text>\n";
  for (double t : a.xt) {
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n",
                  a.sx(t), y0, a.sx(t), y1);
    svg += buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">", a.sx(t),
                  y0 + 15);
    svg += buf + number(t) + "</text>\n";
  }
  for (double t : a.yt) {
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n", x0,
                  a.sy(t), x1, a.sy(t));
    svg += buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">", x0 - 5,
                  a.sy(t) + 4);
    svg += buf + y_tick_label(p, t) + "</text>\n";
  }
  std::snprintf(buf, sizeof buf,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", x0, y1,
                x1 - x0, y0 - y1);
  svg += buf;
  std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">", (x0 + x1) / 2,
                y0 + 34);
  svg += buf + escape(p.x_label) + "</text>\n";
  std::snprintf(buf, sizeof buf,
                "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">",
                left + 14, (y0 + y1) / 2);
  svg += buf + escape(p.y_label) + "</text>\n";
}

// Series k: its polyline (a dot when it has a single point) and, when labelled, its legend entry
// in row `legend_row`.
void draw_series(std::string& svg, const Series& s, size_t k, size_t legend_row, bool log_y, const PlotArea& a) {
  char buf[256];
  const char* colour = kColours[s.colour >= 0 ? s.colour % kColourCount : int(k) % kColourCount];
  const std::string dash = kDashes[s.dash >= 0 ? s.dash % kDashCount : int(k) / kColourCount % kDashCount];
  const std::string dash_attribute = dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"";
  std::string points;
  size_t count = 0;
  for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
    if (!usable(s.x[i], s.y[i], log_y)) continue;
    std::snprintf(buf, sizeof buf, "%s%.1f,%.1f", count++ ? " " : "", a.sx(s.x[i]),
                  a.sy(log_y ? std::log10(s.y[i]) : s.y[i]));
    points += buf;
  }
  svg += std::string("<polyline fill=\"none\" stroke=\"") + colour + "\" stroke-width=\"1.6\"" + dash_attribute +
         " points=\"" + points + "\"/>\n";
  if (count == 1) {  // a lone point would be invisible as a line
    const size_t comma = points.find(',');
    std::snprintf(buf, sizeof buf, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>\n",
                  points.substr(0, comma).c_str(), points.substr(comma + 1).c_str(), colour);
    svg += buf;
  }
  if (s.label.empty()) return;
  // The legend, right of the plot area.
  const double ly = a.y1 + 8 + 16 * double(legend_row);
  std::snprintf(buf, sizeof buf,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">",
                a.x1 + 8, ly, a.x1 + 32, ly, colour, dash_attribute.c_str(), a.x1 + 36, ly + 4);
  svg += buf + escape(s.label) + "</text>\n";
}

void draw_panel(std::string& svg, const Panel& p, double left, double top, double width, double height) {
  const PlotArea area = plot_area(p, left, top, width, height);
  draw_axes(svg, p, area, left, top);
  size_t legend_row = 0;
  for (size_t k = 0; k < p.series.size(); ++k) {
    draw_series(svg, p.series[k], k, legend_row, p.log_y, area);
    legend_row += p.series[k].label.empty() ? 0 : 1;
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

std::vector<double> log_ticks(double lo, double hi) {
  if (!(lo > 0) || !(hi >= lo) || !std::isfinite(hi)) return {lo};
  const int first = int(std::floor(std::log10(lo))), last = int(std::ceil(std::log10(hi)));
  std::vector<double> ticks;
  const std::vector<double> mantissas =
      last - first > 2 ? std::vector<double>{1} : std::vector<double>{1, 2, 5};  // decades, or finer
  for (int e = first; e <= last && ticks.size() < 1000; ++e)
    for (double m : mantissas) {
      // Rounded to 12 significant digits: 10^-3 prints as 0.001, not 0.00099999999999999.
      const double t = std::stod(number(m * std::pow(10.0, e)));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push_back(t);
    }
  if (ticks.size() >= 2) return ticks;
  // Less than a factor of 2 or 5 between the ends: linear nice ticks, all positive.
  ticks.clear();
  for (double t : nice_ticks(lo, hi))
    if (t > 0) ticks.push_back(t);
  return ticks.empty() ? std::vector<double>{lo} : ticks;
}

std::string render_svg(const std::vector<Panel>& panels, int columns, int panel_width, int panel_height,
                       const std::string& title) {
  const int rows = panels.empty() ? 1 : (static_cast<int>(panels.size()) + columns - 1) / columns;
  const int header = title.empty() ? 0 : 32;
  const int width = columns * panel_width, height = rows * panel_height + header;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(height) +
                    "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!title.empty())
    svg += "<text x=\"12\" y=\"22\" font-size=\"16\" font-weight=\"bold\">" + escape(title) + "</text>\n";
  for (size_t i = 0; i < panels.size(); ++i)
    draw_panel(svg, panels[i], double(int(i) % columns * panel_width), double(header + int(i) / columns * panel_height),
               panel_width, panel_height);
  return svg + "</svg>\n";
}

}  // namespace pldr::io
