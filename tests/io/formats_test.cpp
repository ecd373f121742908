// safetensors reading, the SVG chart writer and metrics logs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "io/error.h"
#include "io/metrics_log.h"
#include "io/safetensors.h"
#include "io/svg_line_chart.h"

namespace pldr::io {
namespace {

std::string temp(const std::string& name) { return ::testing::TempDir() + "/fmt_" + std::to_string(::getpid()) + "_" + name; }

TEST(Safetensors, ReadsTheHuggingFaceTinyModel) {
  const auto t = read_safetensors(std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_model.safetensors");
  const SafetensorsEntry& emb = t.at("decoder.embedding.weight");
  EXPECT_EQ(emb.dtype, "F32");
  EXPECT_EQ(emb.shape, (std::vector<int64_t>{50, 16}));
  EXPECT_EQ(emb.values.size(), 800u);
  EXPECT_EQ(t.at("decoder.dec_layers.1.mha1.plgatt_layer.pwlst").shape, (std::vector<int64_t>{2, 8, 8}));
}

TEST(Safetensors, DamagedFilesAreErrors) {
  std::ifstream in(std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_model.safetensors", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = temp("cut.safetensors");
  std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 100));
  EXPECT_THROW(read_safetensors(cut), IoError);  // the last tensor lies past the end
  std::string bad = bytes;
  bad[7] = '\x7f';  // an absurd header length
  std::ofstream(cut, std::ios::binary).write(bad.data(), static_cast<std::streamsize>(bad.size()));
  EXPECT_THROW(read_safetensors(cut), IoError);
  EXPECT_THROW(read_safetensors(temp("missing")), IoError);
  std::filesystem::remove(cut);
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

}  // namespace
}  // namespace pldr::io
