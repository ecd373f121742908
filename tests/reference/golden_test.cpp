// `pldr verify-golden` on the golden files from the reference (tests/data/golden, copied from
// shared/golden; see its README there), in both dtypes, and its refusal of files that are not golden.
#include <gtest/gtest.h>

#include <fstream>

#include "io/hdf5_file.h"
#include "reference/golden_check.h"

namespace pldr::reference {
namespace {

const std::string kGolden = std::string(PLDR_TEST_DATA_DIR) + "/golden/";

void expect_all_pass(const GoldenReport& r) {
  for (const GoldenItem& i : r.items)
    EXPECT_TRUE(i.passed) << r.file << " " << dtype_name(r.dtype) << ": " << i.name << " max_abs " << i.max_abs
                          << " max_rel " << i.max_rel << " (" << i.rule << ")";
  EXPECT_TRUE(r.passed());
}

const GoldenItem& item(const GoldenReport& r, const std::string& name) {
  for (const GoldenItem& i : r.items)
    if (i.name == name) return i;
  throw std::runtime_error("no item " + name);
}

class GoldenFile : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenFile, Float64MatchesEveryItem) {
  const GoldenReport r = verify_golden(kGolden + GetParam(), DType::Float64);
  expect_all_pass(r);
  // Everything the file holds was compared: per layer 6 outputs, every gradient twice, 5 steps, 3 modes.
  EXPECT_GT(r.items.size(), 300u);
  EXPECT_LT(item(r, "forward/logits").max_rel, 1e-8);
  EXPECT_EQ(item(r, "generate/kvg_cache/tokens").max_abs, 0);
  EXPECT_EQ(item(r, "generate/no_cache/tokens").max_abs, 0);
  EXPECT_EQ(item(r, "generate/identity_G/tokens").max_abs, 0);
}

TEST_P(GoldenFile, Float32MatchesLogitsAndTokens) {
  const GoldenReport r = verify_golden(kGolden + GetParam(), DType::Float32);
  expect_all_pass(r);
  const double mark = GetParam() == "tiny.h5" ? 1e-4 : 2e-3;  // the float32 pass marks
  EXPECT_LE(item(r, "forward/logits").max_abs, mark);
  EXPECT_LE(item(r, "generate/kvg_cache/step_logits").max_abs, mark);
}

INSTANTIATE_TEST_SUITE_P(ReferenceFiles, GoldenFile, ::testing::Values("tiny.h5", "small.h5"));

// The table recovered from each file's layer-0 scores is the computed reference table, entry for
// entry: the computation (reference/rope_reference_table.h) reproduces PyTorch's, with no fitting.
TEST_P(GoldenFile, FittedRopeTableIsTheComputedOne) {
  const GoldenReport fitted = verify_golden(kGolden + GetParam(), DType::Float64, {RopeTableSource::Fitted});
  EXPECT_TRUE(item(fitted, "rope_table/cos").passed) << item(fitted, "rope_table/cos").rule;
  EXPECT_TRUE(item(fitted, "rope_table/sin").passed) << item(fitted, "rope_table/sin").rule;
  EXPECT_EQ(item(fitted, "rope_table/cos").max_abs, 0);
  expect_all_pass(fitted);
}

// A reference that overflowed (a DAG term of inf, say) is listed as such with both values: neither a
// pass nor a numeric failure.
TEST(GoldenReport, ReferenceNotFiniteIsListedApart) {
  const GoldenItem finite = measure_difference("a", {1.0, 2.5}, {1.0, 2.0});
  EXPECT_TRUE(finite.reference_finite);
  EXPECT_DOUBLE_EQ(finite.max_abs, 0.5);
  EXPECT_DOUBLE_EQ(finite.max_rel, 0.25);
  const GoldenItem overflow = measure_difference("dag/dag_G_LM", {3.0, 1e308}, {3.0, INFINITY});
  EXPECT_FALSE(overflow.reference_finite);
  EXPECT_EQ(overflow.reference_value, INFINITY);
  EXPECT_EQ(overflow.our_value, 1e308);
  EXPECT_FALSE(measure_difference("nan", {0.0}, {NAN}).reference_finite);

  GoldenReport report{"x.h5", DType::Float64, {}};
  GoldenItem ok = finite;
  ok.passed = true;
  report.items = {ok, overflow};
  EXPECT_TRUE(report.passed());
  const nlohmann::json j = report.to_json();
  EXPECT_EQ(j["reference_not_finite"], 1);
  EXPECT_EQ(j["checked"], 1);
  EXPECT_EQ(j["items"][1]["status"], "reference not finite");
  EXPECT_EQ(j["items"][1]["reference"], "inf");
  EXPECT_EQ(j["items"][1]["ours"], 1e308);
  EXPECT_FALSE(j["items"][1].contains("passed"));
  report.items[0].passed = false;  // a real failure still fails the report
  EXPECT_FALSE(report.passed());
}

TEST(GoldenRejects, FilesThatAreNotGolden) {
  const std::string text = ::testing::TempDir() + "/not_hdf5.h5";
  std::ofstream(text) << "hello";
  EXPECT_THROW(verify_golden(text, DType::Float64), std::runtime_error);
  EXPECT_THROW(verify_golden(kGolden + "missing.h5", DType::Float64), std::runtime_error);
  // A valid HDF5 file without the golden layout.
  const std::string other = ::testing::TempDir() + "/other.h5";
  {
    io::H5File f = io::H5File::create(other);
    f.write<double>("params/x", std::vector<double>{1, 2}, {2});
  }
  try {
    verify_golden(other, DType::Float64);
    ADD_FAILURE() << "accepted a file without the golden layout";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is not a golden file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pldr::reference
