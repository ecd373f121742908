#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "autograd/ops.h"
#include "pldr/config.h"
#include "pldr/losses.h"
#include "tensor/creation.h"

namespace pldr {
namespace {

TEST(DagTerm, ZeroForAnAcyclicGraphPositiveForACycle) {
  // Strictly upper-triangular M: M∘M is a DAG's adjacency, tr(expm) = dk, d = |log 1| = 0.
  ag::Variable dag(from_vector(std::vector<double>{0, 2, 3, 0, 0, 4, 0, 0, 0}, {1, 1, 3, 3}));
  EXPECT_NEAR(dag_term({dag}).item(), 0.0, 1e-14);
  // A 2-cycle of weight w: M∘M = [[0,w²],[w²,0]], tr(expm) = 2 cosh(w²).
  const double w = 1.5;
  ag::Variable cycle(from_vector(std::vector<double>{0, w, w, 0}, {1, 1, 2, 2}));
  EXPECT_NEAR(dag_term({cycle}).item(), std::log(std::cosh(w * w)), 1e-12);
}

TEST(MaskedCrossEntropy, IgnoresPadTargetsAndCountsAccuracy) {
  // Two positions: target 1 (argmax 1, correct) and target 0 (ignored).
  ag::Variable logits(from_vector(std::vector<double>{0, 2, 0, 5, 0, 0}, {1, 2, 3}));
  const Tensor targets = from_vector(std::vector<int32_t>{1, 0}, {1, 2});
  const LanguageModelLoss r = masked_cross_entropy(logits, targets);
  EXPECT_EQ(r.counted(), 1);
  EXPECT_DOUBLE_EQ(r.accuracy(), 1.0);
  EXPECT_NEAR(r.loss.item(), std::log(2 + std::exp(2.0)) - 2.0, 1e-12);
}

TEST(PldrConfig, ValidatesWithMessagesNamingTheKey) {
  auto message = [](const nlohmann::json& j) {
    try {
      PldrConfig::from_json(j);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"hidden_size", 100}}).find("hidden_size"), std::string::npos);
  EXPECT_NE(message({{"num_layer", 3}}).find("unknown key 'num_layer'"), std::string::npos);
  EXPECT_NE(message({{"head_dim", "8"}}).find("head_dim must be an integer"), std::string::npos);
  EXPECT_NE(message({{"custom_G_type", "magic"}}).find("custom_G_type"), std::string::npos);
  EXPECT_NE(message({{"rope", "alibi"}}).find("rope"), std::string::npos);
  const PldrConfig c =
      PldrConfig::from_json({{"d_model", 64}, {"num_heads", 4}, {"head_dim", 16}, {"rope", "neox_rotate_half"}});
  EXPECT_EQ(c.hidden_size, 64);
  EXPECT_FALSE(c.reference_rope);
  EXPECT_EQ(PldrConfig::from_json(c.to_json()).to_json(), c.to_json());  // round trip
}

}  // namespace
}  // namespace pldr
