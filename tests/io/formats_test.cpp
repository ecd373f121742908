// The SVG chart writer and metrics logs.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>

#include "io/error.h"
#include "io/metrics_log.h"
#include "io/svg_line_chart.h"

namespace pldr::io {
namespace {

std::string temp(const std::string& name) {
  return ::testing::TempDir() + "/fmt_" + std::to_string(::getpid()) + "_" + name;
}

TEST(SvgChart, NiceTicks) {
  EXPECT_EQ(nice_ticks(0, 1), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  const std::vector<double> t = nice_ticks(0, 97);
  EXPECT_EQ(t.front(), 0);
  EXPECT_EQ(t.back(), 100);
  EXPECT_EQ(t[1], 20);
  EXPECT_EQ(nice_ticks(-3.2, 7.9, 5), (std::vector<double>{-5, 0, 5, 10}));  // step 11.1/5 rounds up to 5
}

TEST(SvgChart, RendersEveryFinitePointAndEscapesLabels) {
  Panel p{"loss <nats>", "step", "value", false, {}};
  p.series.push_back({"a & b", {1, 2, 3, 4}, {1.0, NAN, 3.0, 2.0}});
  p.series.push_back({"constant", {1, 2}, {5, 5}});
  p.series.push_back({"single", {3}, {4}});
  const std::string svg = render_svg({p});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("loss &lt;nats&gt;"), std::string::npos);
  EXPECT_NE(svg.find("a &amp; b"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
  const size_t first = svg.find("points=\"");
  const std::string points = svg.substr(first + 8, svg.find('"', first + 8) - first - 8);
  EXPECT_EQ(std::count(points.begin(), points.end(), ','), 3);  // the NaN point is skipped
  EXPECT_NE(svg.find("<circle"), std::string::npos);            // the lone point is drawn
}

TEST(MetricsLog, ReadsColumnsAndBuildsPanels) {
  const std::string path = temp("metrics.jsonl");
  std::ofstream(path) << "{\"step\": 10, \"loss\": 3.0, \"lr\": 0.001}\n"
                      << "\n"
                      << "{\"step\": 20, \"loss\": 2.5, \"lr\": 0.002, \"val_loss\": 2.7}\n";
  const MetricsTable t = read_metrics(path);
  EXPECT_EQ(t.columns.at("loss"), (std::vector<std::pair<double, double>>{{10, 3.0}, {20, 2.5}}));
  EXPECT_EQ(t.columns.at("val_loss").size(), 1u);
  const std::vector<Panel> panels = training_curve_panels(t);
  ASSERT_EQ(panels.size(), 2u);  // loss (training + validation) and learning rate; no DAG keys
  EXPECT_EQ(panels[0].series.size(), 2u);
  EXPECT_EQ(panels[1].title, "Learning rate");
  std::ofstream(path) << "{\"step\": 1}\n{broken\n";
  try {
    read_metrics(path);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

std::string io_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not an IoError: ") + e.what();
  }
  return "no error";
}

// Ticks cover the range with equal steps of 1, 2 or 5 x 10^k, starting at or below lo.
void expect_nice(double lo, double hi) {
  const std::vector<double> t = nice_ticks(lo, hi);
  ASSERT_GE(t.size(), 2u) << lo << ".." << hi;
  EXPECT_LE(t.size(), 12u) << lo << ".." << hi;
  EXPECT_LE(t.front(), lo + 1e-9 * (t[1] - t[0]));
  EXPECT_GE(t.back(), hi - 1e-9 * (t[1] - t[0]));
  const double step = t[1] - t[0];
  EXPECT_GT(t.front() + step, lo) << lo << ".." << hi;  // no tick wasted below lo
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  EXPECT_TRUE(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6)
      << lo << ".." << hi << " step " << step;
  for (size_t i = 1; i < t.size(); ++i)
    EXPECT_NEAR(t[i] - t[i - 1], step, 1e-9 * step + 1e-15 * std::abs(t[i])) << lo << ".." << hi;
}

TEST(SvgChart, NiceTicksForManyRanges) {
  auto near = [](const std::vector<double>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
  };
  near(nice_ticks(0, 97), {0, 20, 40, 60, 80, 100});
  near(nice_ticks(-1, 1), {-1, -0.5, 0, 0.5, 1});
  near(nice_ticks(0, 0.003), {0, 0.001, 0.002, 0.003});
  near(nice_ticks(2.3, 2.7), {2.3, 2.4, 2.5, 2.6, 2.7});
  near(nice_ticks(1, 1000, 4), {0, 500, 1000});
  near(nice_ticks(0, 1e-5), {0, 2e-6, 4e-6, 6e-6, 8e-6, 1e-5});
  near(nice_ticks(-97, -3), {-100, -80, -60, -40, -20, 0});
  EXPECT_EQ(nice_ticks(3, 3), std::vector<double>{3});  // an empty range: the value itself
  EXPECT_EQ(nice_ticks(0, 10)[0], 0.0);
  EXPECT_FALSE(std::signbit(nice_ticks(-1, 1)[2]));  // 0, not -0 or -1e-17
  for (auto [lo, hi] : std::vector<std::pair<double, double>>{{0, 1},
                                                              {0, 97},
                                                              {0.1, 0.7},
                                                              {-3.2, 7.9},
                                                              {1, 100000},
                                                              {0, 300000},
                                                              {2.5, 2.5000001},
                                                              {1e-7, 3e-4},
                                                              {-1e6, 1e6},
                                                              {10.5, 10.75},
                                                              {0, 4000},
                                                              {7, 8}})
    expect_nice(lo, hi);
}

// The points="..." of every polyline, in order.
std::vector<std::string> polylines(const std::string& svg) {
  std::vector<std::string> out;
  for (size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) {
    const size_t start = svg.find("points=\"", at) + 8;
    out.push_back(svg.substr(start, svg.find('"', start) - start));
  }
  return out;
}

size_t point_count(const std::string& points) {
  return static_cast<size_t>(std::count(points.begin(), points.end(), ','));
}

TEST(SvgChart, EachPolylineHasTheFinitePointsOfItsSeries) {
  Panel a{"first", "x", "y", false, {}};
  a.series.push_back({"five", {0, 1, 2, 3, 4}, {5, 4, 3, 2, 1}});
  a.series.push_back({"gaps", {0, 1, 2, 3, 4, 5}, {1, NAN, INFINITY, 2, -INFINITY, 3}});
  a.series.push_back({"x gaps", {NAN, 1, 2}, {1, 2, 3}});
  a.series.push_back({"short y", {0, 1, 2, 3}, {1, 2}});  // extra x values are ignored
  a.series.push_back({"none", {}, {}});
  Panel b{"log", "x", "y", true, {}};
  b.series.push_back({"log", {1, 2, 3, 4}, {10, 0, -1, 1000}});  // non-positive values are skipped on a log axis
  Panel c{"third", "x", "y", false, {}};
  const std::string svg = render_svg({a, b, c}, 2, 400, 300);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_NE(svg.find("width=\"800\" height=\"600\""), std::string::npos);  // 3 panels in 2 columns: 2 rows
  const std::vector<std::string> p = polylines(svg);
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(point_count(p[0]), 5u);
  EXPECT_EQ(point_count(p[1]), 3u);
  EXPECT_EQ(point_count(p[2]), 2u);
  EXPECT_EQ(point_count(p[3]), 2u);
  EXPECT_EQ(point_count(p[4]), 0u);
  EXPECT_EQ(point_count(p[5]), 2u);
  for (const char* bad : {"nan", "inf", "NaN", "Inf"}) EXPECT_EQ(svg.find(bad), std::string::npos) << bad;
  // Every coordinate lies inside its panel.
  for (size_t k = 0; k < p.size(); ++k) {
    std::istringstream in(p[k]);
    std::string pair;
    while (in >> pair) {
      const double x = std::stod(pair.substr(0, pair.find(','))), y = std::stod(pair.substr(pair.find(',') + 1));
      EXPECT_TRUE(x >= 0 && x <= 800 && y >= 0 && y <= 300) << k << ": " << pair;
    }
  }
  EXPECT_NE(svg.find(">1000</text>"), std::string::npos);  // a log axis labels powers of ten by value
}

TEST(SvgChart, ConstantSingleAndEmptySeriesGiveFiniteCoordinates) {
  for (const std::vector<Series>& series : std::vector<std::vector<Series>>{{{"constant", {1, 2, 3}, {5, 5, 5}}},
                                                                            {{"zero", {1, 2, 3}, {0, 0, 0}}},
                                                                            {{"single", {7}, {0.25}}},
                                                                            {{"same x", {4, 4}, {1, 2}}},
                                                                            {{"all NaN", {1, 2}, {NAN, NAN}}},
                                                                            {}}) {
    Panel p{"t", "x", "y", false, series};
    const std::string svg = render_svg({p});
    EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("inf"), std::string::npos) << svg;
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
  }
  Panel single{"t", "x", "y", false, {{"single", {7}, {0.25}}}};
  const std::string svg = render_svg({single});
  EXPECT_NE(svg.find("<circle"), std::string::npos);
  EXPECT_EQ(polylines(svg).size(), 1u);
  EXPECT_EQ(render_svg({}).rfind("<svg", 0), 0u);
}

TEST(SvgChart, LabelsAreEscaped) {
  Panel p{"<title> & \"quotes\"", "x < 5", "y > 3", false, {{"a&b <c>", {1, 2}, {1, 2}}}};
  const std::string svg = render_svg({p});
  EXPECT_NE(svg.find("&lt;title&gt; &amp; &quot;quotes&quot;"), std::string::npos);
  EXPECT_NE(svg.find("x &lt; 5"), std::string::npos);
  EXPECT_NE(svg.find("y &gt; 3"), std::string::npos);
  EXPECT_NE(svg.find("a&amp;b &lt;c&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<title>"), std::string::npos);
  EXPECT_EQ(svg.find("a&b"), std::string::npos);
}

// Text of the tick labels: <text ... font-size="11" ...>LABEL</text>.
std::vector<std::string> tick_labels(const std::string& svg, const std::string& anchor) {
  std::vector<std::string> out;
  const std::string open = "font-size=\"11\" text-anchor=\"" + anchor + "\">";
  for (size_t at = svg.find(open); at != std::string::npos; at = svg.find(open, at + 1)) {
    const size_t start = at + open.size();
    out.push_back(svg.substr(start, svg.find('<', start) - start));
  }
  return out;
}

TEST(SvgChart, TickLabelsNameTheirValues) {
  // Steps of long runs on x (0..250000) and small learning rates on y (0..3e-4): every label
  // reads back as its tick's value.
  Panel p{"lr", "step", "lr", false, {{"lr", {0, 125000, 250000}, {0, 3e-4, 1e-4}}}};
  const std::string svg = render_svg({p});
  const std::vector<double> xt = nice_ticks(0, 250000), yt = nice_ticks(0, 3e-4);
  const std::vector<std::string> xl = tick_labels(svg, "middle"), yl = tick_labels(svg, "end");
  ASSERT_EQ(xl.size(), xt.size()) << svg;
  ASSERT_EQ(yl.size(), yt.size()) << svg;
  for (size_t i = 0; i < xt.size(); ++i) EXPECT_NEAR(std::stod(xl[i]), xt[i], 1e-6 * 250000) << xl[i];
  for (size_t i = 0; i < yt.size(); ++i) EXPECT_NEAR(std::stod(yl[i]), yt[i], 1e-6 * 3e-4) << yl[i];
}

// The deductive statistics and epoch averages the trainer logs get panels of their own.
TEST(MetricsLog, DeductiveStatisticsAndEpochPanels) {
  const std::string path = temp("deductive.jsonl");
  std::ofstream(path)
      << "{\"step\": 1, \"loss\": 4.0, \"G_LM_mean_layer0\": 0.5, \"G_LM_std_layer0\": 0.1, \"G_LM_mean_layer1\": 0.7, "
         "\"G_LM_std_layer1\": 0.2, \"global_loss\": 4.0}\n"
      << "{\"step\": 3, \"epoch\": 0, \"epoch_loss\": 3.5}\n";
  const std::vector<Panel> panels = training_curve_panels(read_metrics(path));
  std::vector<std::string> titles;
  for (const Panel& p : panels) titles.push_back(p.title);
  EXPECT_EQ(titles, (std::vector<std::string>{"Loss", "Epoch averages", "G_LM per layer"}));
  ASSERT_EQ(panels[2].series.size(), 4u);
  EXPECT_EQ(panels[2].series[3].label, "layer 1 std");
  EXPECT_EQ(panels[2].series[3].y, (std::vector<double>{0.2}));
}

TEST(MetricsLog, ColumnsByStepWithMissingKeysAndBlankLines) {
  const std::string path = temp("columns.jsonl");
  std::ofstream(path) << "{\"step\": 0, \"loss\": 4.0, \"lr\": 0.0, \"note\": \"text is ignored\", \"flag\": true}\n"
                      << "{\"step\": 10, \"loss\": 3.0, \"dag_G_LM\": 0.5, \"nested\": {\"x\": 1}}\n"
                      << "   \n"
                      << "{\"step\": 20, \"val_loss\": 3.2, \"val_bits_per_char\": 1.4, \"loss\": null}\r\n"
                      << "{\"lr\": 0.001, \"step\": 30.0, \"accuracy\": 0.25}";  // no final newline
  const MetricsTable t = read_metrics(path);
  using Column = std::vector<std::pair<double, double>>;
  EXPECT_EQ(t.columns.at("loss"), (Column{{0, 4.0}, {10, 3.0}}));
  EXPECT_EQ(t.columns.at("lr"), (Column{{0, 0.0}, {30, 0.001}}));
  EXPECT_EQ(t.columns.at("dag_G_LM"), (Column{{10, 0.5}}));
  EXPECT_EQ(t.columns.at("val_loss"), (Column{{20, 3.2}}));
  EXPECT_EQ(t.columns.at("accuracy"), (Column{{30, 0.25}}));
  EXPECT_FALSE(t.has("step"));
  EXPECT_FALSE(t.has("note"));
  EXPECT_FALSE(t.has("nested"));
  EXPECT_FALSE(t.has("flag"));
  EXPECT_FALSE(t.has("dag_A_LM"));
  const std::vector<Panel> panels = training_curve_panels(t);
  std::vector<std::string> titles;
  for (const Panel& p : panels) titles.push_back(p.title);
  EXPECT_EQ(titles, (std::vector<std::string>{"Loss", "Validation bits per character", "Learning rate", "DAG terms",
                                              "Accuracy"}));
  ASSERT_EQ(panels[0].series.size(), 2u);
  EXPECT_EQ(panels[0].series[0].label, "training");
  EXPECT_EQ(panels[0].series[0].x, (std::vector<double>{0, 10}));
  EXPECT_EQ(panels[0].series[0].y, (std::vector<double>{4.0, 3.0}));
  EXPECT_EQ(panels[0].series[1].label, "validation");
  ASSERT_EQ(panels[3].series.size(), 1u);  // only G_LM's DAG term was logged
  EXPECT_EQ(panels[3].series[0].label, "G_LM");
  ASSERT_EQ(panels[4].series.size(), 1u);
  EXPECT_EQ(render_svg(panels).find("nan"), std::string::npos);
  EXPECT_TRUE(training_curve_panels(MetricsTable{}).empty());
  std::filesystem::remove(path);
}

TEST(MetricsLog, BadLinesNameTheFileAndLineNumber) {
  const std::string path = temp("bad.jsonl");
  for (const std::string& bad :
       {std::string("{\"loss\": 1.0}"), std::string("{\"step\": \"ten\"}"), std::string("[1, 2]"),
        std::string("{\"step\": 3, \"loss\": 2.0"), std::string("NaN")}) {
    std::ofstream(path) << "{\"step\": 1, \"loss\": 3.0}\n\n" << bad << "\n{\"step\": 4}\n";
    const std::string m = io_message([&] { read_metrics(path); });
    EXPECT_NE(m.find("metrics " + path + ": line 3 "), std::string::npos) << bad << ": " << m;  // blank lines count
  }
  EXPECT_NE(io_message([&] { read_metrics(temp("absent.jsonl")); }).find("cannot be opened"), std::string::npos);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace pldr::io
