// Runs repeated over seeds, one row per variant: the mean and spread of the final numbers, and the
// G-cache invariance reports.
#include "io/seed_summary.h"

#include <gtest/gtest.h>

#include "io/error.h"
#include "tests/data/temp_dir.h"

namespace pldr::io {
namespace {

using Column = std::vector<std::pair<double, double>>;

TEST(SeedSummary, VariantIsTheNameBeforeItsSeedFolder) {
  EXPECT_EQ(variant_of("learned/seed1"), "learned");
  EXPECT_EQ(variant_of("dag_0.02/seed12"), "dag_0.02");
  EXPECT_EQ(variant_of("learned"), "learned");
  EXPECT_EQ(variant_of("learned/seedling"), "learned/seedling");
  EXPECT_EQ(variant_of("/seed1"), "/seed1");
}

TEST(SeedSummary, MeanAndSampleSpreadPerVariant) {
  auto run = [](const std::string& name, double val, double bits, std::vector<double> rates) {
    SeededRun r{name, {}, std::nullopt};
    r.table.columns["loss"] = Column{{10, 3.0}, {300, 2.0}};
    r.table.columns["val_loss"] = Column{{150, val - 0.5}, {300, val}};
    r.table.columns["val_bits_per_char"] = Column{{300, bits}};
    Column c;
    for (double x : rates) c.push_back({c.size() * 10.0, x});
    r.table.columns["tokens_per_s"] = c;
    r.table.columns["elapsed_s"] = Column{{150, 30}, {300, val * 10}};
    return r;
  };
  std::vector<SeededRun> runs{run("learned/seed1", 2.0, 3.0, {100, 900, 200}), run("g_identity/seed1", 2.5, 3.5, {400}),
                              run("learned/seed2", 4.0, 5.0, {300, 300, 1000})};
  runs[0].invariance = InvarianceSummary{true, 0.25};
  runs[2].invariance = InvarianceSummary{false, 0.75};
  const std::string md = seed_summary_table(runs);
  // learned: validation 2 and 4 (mean 3, sd sqrt(2)), bits 3 and 5, lowest 1.5 and 3.5, medians 200 and 300.
  EXPECT_NE(md.find("| learned | 2 | 300 | 3 ± 1.414 | 4 ± 1.414 | 2.5 | 250 | 30 | 1 of 2 | 0.5 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| g_identity | 1 | 300 | 2.5 | 3.5 | 2 | 400 | 25 | - | - |"), std::string::npos) << md;
  EXPECT_LT(md.find("| learned |"), md.find("| g_identity |")) << "variants in order of first appearance";
}

TEST(SeedSummary, ReadsTheInvarianceReportsHeadlineAndRejectsOtherFiles) {
  const data::testing::TempDir dir;
  const std::string good = dir.write("good.json", R"({"prompts": [], "summary": {"tokens_identical": false,
                                                    "worst": {"G_LM": {"rmse": 0.125, "max_abs": 1}}}})");
  const std::string bad = dir.write("bad.json", R"({"summary": {"tokens_identical": true}})");
  const InvarianceSummary s = read_invariance_summary(good);
  EXPECT_FALSE(s.tokens_identical);
  EXPECT_EQ(s.worst_G_LM_rmse, 0.125);
  EXPECT_THROW(read_invariance_summary(bad), IoError);
  EXPECT_THROW(read_invariance_summary(dir.file("missing.json")), IoError);
}

}  // namespace
}  // namespace pldr::io
