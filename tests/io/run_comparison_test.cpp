// Several runs side by side: one series per run, and the table of their final numbers.
#include "io/run_comparison.h"
#include "io/metrics_log.h"

#include <gtest/gtest.h>

namespace pldr::io {
namespace {

using Column = std::vector<std::pair<double, double>>;

// The overlay of several runs (io/metrics_log.h) draws the DAG terms too, for the runs that log them.
TEST(RunComparison, OneSeriesPerRunThatLoggedTheKey) {
  MetricsTable learned, identity;
  learned.columns["loss"] = Column{{10, 3.0}, {20, 2.5}};
  learned.columns["val_loss"] = Column{{20, 2.7}};
  learned.columns["dag_G_LM"] = Column{{10, 0.5}, {20, 0.4}};
  identity.columns["loss"] = Column{{10, 3.2}, {20, 2.9}};
  const std::vector<Panel> panels = comparison_panels({{"learned", learned}, {"g_identity", identity}});
  ASSERT_EQ(panels.size(), 3u);  // training loss, validation loss, the DAG term of G_LM
  EXPECT_EQ(panels[0].title, "Training loss");
  ASSERT_EQ(panels[0].series.size(), 2u);
  EXPECT_EQ(panels[0].series[1].label, "g_identity");
  EXPECT_EQ(panels[0].series[1].y, (std::vector<double>{3.2, 2.9}));
  EXPECT_EQ(panels[2].title, "DAG term of G_LM");
  ASSERT_EQ(panels[2].series.size(), 1u);  // a predefined G logs no DAG terms
  EXPECT_EQ(panels[2].series[0].label, "learned");
}

// Runs of several seeds (io/seed_summary.h): a colour per variant, a line style per seed, and a
// legend entry for the first seed of each variant only.
TEST(RunComparison, SeedsOfAVariantShareItsColourAndLegendEntry) {
  MetricsTable t;
  t.columns["loss"] = Column{{10, 3.0}};
  const std::vector<Panel> panels =
      comparison_panels({{"learned/seed1", t}, {"g_identity/seed1", t}, {"learned/seed2", t}, {"g_identity/seed2", t}});
  ASSERT_EQ(panels.size(), 1u);
  const std::vector<Series>& s = panels[0].series;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].label, "learned");
  EXPECT_EQ(s[1].label, "g_identity");
  EXPECT_EQ(s[2].label, "");
  EXPECT_EQ(s[3].label, "");
  EXPECT_EQ(s[0].colour, s[2].colour);
  EXPECT_EQ(s[1].colour, s[3].colour);
  EXPECT_NE(s[0].colour, s[1].colour);
  EXPECT_NE(s[0].dash, s[2].dash);
  EXPECT_EQ(s[0].dash, s[1].dash);
  // Unseeded runs keep their names and the default style.
  const std::vector<Panel> plain = comparison_panels({{"learned", t}, {"g_identity", t}});
  EXPECT_EQ(plain[0].series[1].label, "g_identity");
  EXPECT_EQ(plain[0].series[1].colour, -1);
}

TEST(RunComparison, TableHoldsLastAndLowestValuesAndDashesForMissingKeys) {
  NamedRun a{"learned", {}}, b{"g_random", {}};
  a.table.columns["loss"] = Column{{10, 3.0}, {300, 2.25}};
  a.table.columns["val_loss"] = Column{{100, 2.5}, {200, 2.125}, {300, 2.2}};
  a.table.columns["val_bits_per_char"] = Column{{300, 2.5}};
  a.table.columns["dag_A_LM"] = Column{{300, 0.0625}};
  b.table.columns["loss"] = Column{{300, 3.5}};
  const std::string md = results_table({a, b});
  EXPECT_NE(md.find("| run | steps | training loss | validation loss | lowest validation loss |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| learned | 300 | 2.25 | 2.2 | 2.125 | 2.5 | 0.0625 | - | - |"), std::string::npos) << md;
  EXPECT_NE(md.find("| g_random | 300 | 3.5 | - | - | - | - | - | - |"), std::string::npos) << md;
}

}  // namespace
}  // namespace pldr::io
