// Epoch and global averages of the training loss (train/running_metrics.h), and their file.
#include "train/running_metrics.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pldr {
namespace {

TEST(RunningMetrics, EpochAveragesCloseWhenTheEpochChanges) {
  RunningMetrics m;
  EXPECT_FALSE(m.add(4.0, 0.1, 0));
  EXPECT_FALSE(m.add(2.0, 0.3, 0));
  const std::optional<EpochMetrics> e = m.add(1.0, 0.5, 1);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->epoch, 0u);
  EXPECT_EQ(e->steps, 2);
  EXPECT_DOUBLE_EQ(e->loss, 3.0);
  EXPECT_DOUBLE_EQ(e->accuracy, 0.2);
  EXPECT_EQ(m.steps(), 3);
  EXPECT_DOUBLE_EQ(m.global_loss(), 7.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.global_accuracy(), 0.3);
  EXPECT_EQ(RunningMetrics{}.global_loss(), 0.0);
}

TEST(RunningMetrics, SurvivesAResumeExactly) {
  RunningMetrics unbroken, first;
  const double losses[] = {3.1, 2.9, 2.7000000000000002, 2.5, 2.3};
  for (int i = 0; i < 5; ++i) unbroken.add(losses[i], 0.1 * i, i / 3);
  for (int i = 0; i < 3; ++i) first.add(losses[i], 0.1 * i, i / 3);
  const std::string path = ::testing::TempDir() + "/running_metrics.json";
  first.save(path, 3);
  EXPECT_FALSE(RunningMetrics::load(path, 4));  // written at another step: not this checkpoint's
  EXPECT_FALSE(RunningMetrics::load(::testing::TempDir() + "/absent.json", 3));
  std::optional<RunningMetrics> resumed = RunningMetrics::load(path, 3);
  ASSERT_TRUE(resumed);
  std::optional<EpochMetrics> closed;
  for (int i = 3; i < 5; ++i)
    if (auto e = resumed->add(losses[i], 0.1 * i, i / 3)) closed = e;
  ASSERT_TRUE(closed);  // epoch 0 (steps 0-2) closes at step 3, after the resume
  EXPECT_EQ(closed->steps, 3);
  EXPECT_EQ(resumed->global_loss(), unbroken.global_loss());
  EXPECT_EQ(resumed->global_accuracy(), unbroken.global_accuracy());
  std::ofstream(path) << "{broken";
  EXPECT_THROW(RunningMetrics::load(path, 3), std::runtime_error);
}

}  // namespace
}  // namespace pldr
