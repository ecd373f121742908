// Loading a checkpoint for inference reads the parameters alone: the AdamW moments saved beside
// them are never read, so no tensor is allocated for them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "io/hdf5_file.h"
#include "tensor/backend.h"
#include "tests/pldr/tiny_model.h"
#include "train/checkpoint.h"

namespace pldr {
namespace {

TEST(CheckpointLoading, ReadsNoOptimizerMoments) {
  RunConfig config;
  config.model = testing::tiny_config();
  config.data.train = "train.tok";
  config.data.context = 16;
  PldrModel model(config.model, DType::Float32);
  model.initialize(3);
  const optim::AdamW adamw(model.parameters(), {});
  const std::string dir = ::testing::TempDir() + "/checkpoint_loading_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string with = dir + "/with_moments.h5", without = dir + "/without.h5";
  save_checkpoint(with, config, model, &adamw, {});
  save_checkpoint(without, config, model, nullptr, {});
  const auto named = model.named_parameters();
  ASSERT_TRUE(io::H5File::open_read(with).is_dataset("optimizer/v/" + named.back().first));  // the moments are there

  reset_runtime_counts();
  const LoadedCheckpoint c = load_checkpoint(with);
  const uint64_t allocations = runtime_counts().allocations;
  // Building the model takes one unfilled Storage per parameter, reading it one more; the moments
  // (two per parameter) would show as more.
  EXPECT_EQ(allocations, 2 * named.size());
  reset_runtime_counts();
  load_checkpoint(without);
  EXPECT_EQ(runtime_counts().allocations, allocations);
  const auto loaded = c.model->named_parameters();
  for (size_t i = 0; i < named.size(); ++i)
    EXPECT_EQ(loaded[i].second.value().to_vector<double>(), named[i].second.value().to_vector<double>())
        << named[i].first;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pldr
