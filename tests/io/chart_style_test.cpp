// The charts as a reader sees them (issue 18, point 8): every series its own colour or line style,
// legends beside the data, a figure title, log ticks that read as numbers, runs overlaid, and PNG
// that is a rasterised image.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <set>

#include "io/error.h"
#include "io/metrics_log.h"
#include "io/svg_line_chart.h"
#include "io/svg_to_png.h"

namespace pldr::io {
namespace {

Panel panel_with(size_t series_count, bool log_y = false) {
  Panel p{"p", "x", "y", log_y, {}};
  for (size_t k = 0; k < series_count; ++k)
    p.series.push_back({"series " + std::to_string(k), {0, 1, 2}, {1.0 + double(k), 2.0 + double(k), 1.5}});
  return p;
}

TEST(ChartStyle, EverySeriesOfAPanelLooksDifferent) {
  for (size_t n : {6u, 8u, 12u, 25u}) {
    const std::string svg = render_svg({panel_with(n)});
    std::set<std::string> styles;
    const std::regex polyline(
        "<polyline fill=\"none\" stroke=\"([^\"]+)\" stroke-width=\"1.6\"( stroke-dasharray=\"([^\"]+)\")?");
    for (std::sregex_iterator it(svg.begin(), svg.end(), polyline), end; it != end; ++it)
      styles.insert((*it)[1].str() + "/" + (*it)[3].str());
    EXPECT_EQ(styles.size(), n) << n << " series";
  }
  // The per-layer panels pair a colour per layer with a line style per statistic.
  MetricsTable t;
  for (size_t layer = 0; layer < 4; ++layer)
    for (const char* stat : {"mean", "std"})
      t.columns[std::string("G_LM_") + stat + "_layer" + std::to_string(layer)] = {{1, 0.5}, {2, 0.6}};
  const std::vector<Panel> panels = training_curve_panels(t);
  ASSERT_EQ(panels.size(), 1u);
  ASSERT_EQ(panels[0].series.size(), 8u);
  EXPECT_EQ(panels[0].series[6].colour, 3);
  EXPECT_EQ(panels[0].series[7].dash, 1);
}

TEST(ChartStyle, TheLegendIsBesideThePlotArea) {
  const std::string svg = render_svg({panel_with(3)});
  std::smatch frame;
  ASSERT_TRUE(std::regex_search(svg, frame, std::regex("<rect x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"")));
  const double right = std::stod(frame[1]) + std::stod(frame[2]);
  const std::regex legend("<line x1=\"([0-9.]+)\"[^>]*stroke-width=\"2\"");
  size_t entries = 0;
  for (std::sregex_iterator it(svg.begin(), svg.end(), legend), end; it != end; ++it, ++entries)
    EXPECT_GT(std::stod((*it)[1]), right);
  EXPECT_EQ(entries, 3u);
}

TEST(ChartStyle, LogTicksAreRoundNumbers) {
  EXPECT_EQ(log_ticks(0.7, 3), (std::vector<double>{1, 2}));
  EXPECT_EQ(log_ticks(1e-4, 10), (std::vector<double>{1e-4, 1e-3, 0.01, 0.1, 1, 10}));
  EXPECT_EQ(log_ticks(0.03, 0.6), (std::vector<double>{0.05, 0.1, 0.2, 0.5}));
  const std::vector<double> narrow = log_ticks(2.1, 2.4);  // no 1-2-5 value inside: linear ticks
  ASSERT_GE(narrow.size(), 2u);
  EXPECT_GE(narrow.front(), 2.0);
  Panel p{"log", "x", "y", true, {{"s", {0, 1, 2, 3}, {0.7, 1.3, 2.2, 3.0}}}};
  const std::string svg = render_svg({p});
  EXPECT_EQ(svg.find("0.794328"), std::string::npos);
  EXPECT_NE(svg.find("text-anchor=\"end\">2</text>"), std::string::npos) << svg;
}

TEST(ChartStyle, TheFigureHasItsTitle) {
  const std::string svg = render_svg({panel_with(1)}, 2, 600, 320, "shakespeare: 4 layers, d 192");
  EXPECT_NE(svg.find(">shakespeare: 4 layers, d 192</text>"), std::string::npos);
  EXPECT_NE(svg.find("height=\"352\""), std::string::npos);  // a band above the panels
}

TEST(ChartStyle, RunsAreOverlaidASeriesPerRun) {
  MetricsTable a, b;
  a.columns["loss"] = {{1, 5}, {2, 4}};
  a.columns["val_loss"] = {{2, 4.5}};
  b.columns["loss"] = {{1, 5.5}, {2, 4.4}};
  const std::vector<Panel> panels = comparison_panels({{"learned", a}, {"g_identity", b}});
  ASSERT_EQ(panels.size(), 2u);
  EXPECT_EQ(panels[0].title, "Training loss");
  ASSERT_EQ(panels[0].series.size(), 2u);
  EXPECT_EQ(panels[0].series[1].label, "g_identity");
  EXPECT_EQ(panels[1].series.size(), 1u);
}

TEST(ChartStyle, PngIsARasterisedImage) {
  const std::string path = ::testing::TempDir() + "/chart_" + std::to_string(::getpid()) + ".png";
  if (!png_supported()) {
    EXPECT_THROW(write_svg_as_png(path, render_svg({panel_with(2)})), IoError);
    GTEST_SKIP() << "this build has no librsvg";
  }
  write_svg_as_png(path, render_svg({panel_with(2)}, 1, 300, 200));
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // IHDR: width and height, big-endian, at bytes 16 and 20.
  auto u32 = [&](size_t at) {
    return (uint32_t(uint8_t(bytes[at])) << 24) | (uint32_t(uint8_t(bytes[at + 1])) << 16) |
           (uint32_t(uint8_t(bytes[at + 2])) << 8) | uint32_t(uint8_t(bytes[at + 3]));
  };
  EXPECT_EQ(u32(16), 300u);
  EXPECT_EQ(u32(20), 200u);
  std::remove(path.c_str());
  EXPECT_THROW(write_svg_as_png(path, "not svg"), IoError);
}

}  // namespace
}  // namespace pldr::io
