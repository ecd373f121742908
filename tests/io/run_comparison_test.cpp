// Several runs side by side: one series per run, and the table of their final numbers.
#include "io/run_comparison.h"

#include <gtest/gtest.h>

namespace pldr::io {
namespace {

using Column = std::vector<std::pair<double, double>>;

TEST(RunComparison, OneSeriesPerRunThatLoggedTheKey) {
  NamedRun learned{"learned", {}}, identity{"g_identity", {}};
  learned.table.columns["loss"] = Column{{10, 3.0}, {20, 2.5}};
  learned.table.columns["val_loss"] = Column{{20, 2.7}};
  learned.table.columns["dag_G_LM"] = Column{{10, 0.5}, {20, 0.4}};
  identity.table.columns["loss"] = Column{{10, 3.2}, {20, 2.9}};
  const std::vector<Panel> panels = comparison_panels({learned, identity});
  ASSERT_EQ(panels.size(), 3u);  // training loss, validation loss, the DAG term of G_LM
  EXPECT_EQ(panels[0].title, "Training loss");
  ASSERT_EQ(panels[0].series.size(), 2u);
  EXPECT_EQ(panels[0].series[1].label, "g_identity");
  EXPECT_EQ(panels[0].series[1].y, (std::vector<double>{3.2, 2.9}));
  EXPECT_EQ(panels[2].title, "DAG term of G_LM");
  ASSERT_EQ(panels[2].series.size(), 1u);  // a predefined G logs no DAG terms
  EXPECT_EQ(panels[2].series[0].label, "learned");
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
