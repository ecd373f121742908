// The ablation configurations (apps/configs/ablations, run by scripts/ablation.sh) are valid run
// configurations of the intended kind, and the paper's G loads for the paper-shaped model.
#include <gtest/gtest.h>

#include <string>

#include "train/checkpoint.h"
#include "train/run_config.h"

namespace pldr {
namespace {

RunConfig ablation(const std::string& name) {
  const RunConfig c = RunConfig::from_json(
      RunConfig::read_json_file(std::string(PLDR_SOURCE_DIR) + "/apps/configs/ablations/" + name + ".json"));
  c.validate();
  return c;
}

TEST(AblationConfigs, EachIsValidAndOfItsKind) {
  EXPECT_EQ(ablation("learned").model.custom_G_type, GType::Learned);
  EXPECT_EQ(ablation("g_identity").model.custom_G_type, GType::Identity);
  EXPECT_EQ(ablation("g_random").model.custom_G_type, GType::Random);
  const RunConfig dag = ablation("dag");
  EXPECT_EQ(dag.model.custom_G_type, GType::Learned);
  EXPECT_GT(dag.dag[0], 0.0);
  // All train on the same data with the same tokenizer, each into its own folder (paths resolve
  // against the configuration's folder: runs/ablations/ of the source tree).
  for (const char* name : {"learned", "g_identity", "g_random", "g_learned_paper", "dag"}) {
    EXPECT_EQ(ablation(name).data.train, ablation("learned").data.train) << name;
    EXPECT_EQ(ablation(name).out_dir, std::string(PLDR_SOURCE_DIR) + "/runs/ablations/" + name) << name;
  }
}

TEST(AblationConfigs, PaperGLoadsForThePaperShapedModel) {
  const RunConfig c = ablation("g_learned_paper");
  EXPECT_EQ(c.model.custom_G_type, GType::External);
  const std::vector<Tensor> G = load_external_G(c.external_G.file, c.external_G.group, c.model, DType::Float32);
  ASSERT_EQ(G.size(), 5u);
  EXPECT_EQ(G[4].shape(), (Shape{1, 14, 64, 64}));
}

}  // namespace
}  // namespace pldr
