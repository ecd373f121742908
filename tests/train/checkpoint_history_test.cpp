// The checkpoint-history policy (train/checkpoint_history.h): which steps it keeps, and the files.
#include "train/checkpoint_history.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pldr {
namespace {

namespace fs = std::filesystem;
using Steps = std::vector<int64_t>;

TEST(CheckpointHistory, KeepsMultiplesAndTheLastN) {
  EXPECT_EQ(CheckpointHistory("x", 100, 2).kept({50, 100, 150, 200, 250, 300, 350}), (Steps{100, 200, 300, 350}));
  EXPECT_EQ(CheckpointHistory("x", 100, 2).kept({50, 100, 150, 200, 250}), (Steps{100, 200, 250}));
  EXPECT_EQ(CheckpointHistory("x", 0, 3).kept({10, 20, 30, 40, 50}), (Steps{30, 40, 50}));
  EXPECT_EQ(CheckpointHistory("x", 20, 0).kept({10, 20, 30, 40, 50}), (Steps{20, 40}));
  EXPECT_EQ(CheckpointHistory("x", 0, 5).kept({10, 20}), (Steps{10, 20}));
  EXPECT_FALSE(CheckpointHistory("x", 0, 0).enabled());
  // training.save_at: listed steps are kept whatever the other rules say.
  EXPECT_EQ(CheckpointHistory("x", 0, 0, {30, 10}).kept({10, 20, 30, 40}), (Steps{10, 30}));
  EXPECT_EQ(CheckpointHistory("x", 20, 1, {30}).kept({10, 20, 30, 40, 50}), (Steps{20, 30, 40, 50}));
  EXPECT_TRUE(CheckpointHistory("x", 0, 0, {5}).enabled());
  EXPECT_THROW(CheckpointHistory("x", -1, 0), std::invalid_argument);
  EXPECT_EQ(fs::path(CheckpointHistory("run", 1, 1).path_for(42)), fs::path("run") / "history" / "step-00000042.h5");
}

TEST(CheckpointHistory, RecordsFilesAndDeletesWhatThePolicyDrops) {
  const fs::path dir = fs::path(::testing::TempDir()) / "history_run";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const CheckpointHistory history(dir.string(), 4, 1);
  const std::string checkpoint = (dir / "checkpoint.h5").string();
  for (int64_t step = 2; step <= 10; step += 2) {
    // The trainer replaces checkpoint.h5 by a rename each time; the history keeps each version.
    std::ofstream((dir / "tmp").string()) << "state at " << step;
    fs::rename(dir / "tmp", checkpoint);
    history.record(checkpoint, step);
  }
  EXPECT_EQ(history.saved_steps(), (Steps{4, 8, 10}));
  std::ifstream in(history.path_for(4));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "state at 4");
  EXPECT_FALSE(fs::exists(history.path_for(6)));
  EXPECT_FALSE(fs::exists(history.path_for(10) + ".tmp"));
  EXPECT_THROW(history.record((dir / "missing.h5").string(), 12), std::runtime_error);
  EXPECT_TRUE(CheckpointHistory(dir.string(), 0, 0).record(checkpoint, 12).empty());  // off: nothing recorded
}

}  // namespace
}  // namespace pldr
