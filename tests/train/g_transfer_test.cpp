// The v510Gi transfer (train/g_transfer.h): on the prompt its G came from, the transferred model
// (no metric learner, predefined G) gives the trained model's logits; inspect's file loads as that G.
#include "train/g_transfer.h"

#include <gtest/gtest.h>

#include "autograd/grad_mode.h"
#include "interop/inspect.h"
#include "tests/pldr/tiny_model.h"
#include "train/checkpoint.h"

namespace pldr {
namespace {

TEST(GTransfer, TheModelsOwnGReproducesItsLogitsWithoutTheMetricLearner) {
  const auto trained = testing::tiny_model(11);
  const std::vector<int32_t> prompt{5, 9, 14, 3, 22, 7};
  const std::string file = ::testing::TempDir() + "/deductive.h5";
  interop::write_deductive_outputs(file, *trained, prompt);
  const std::vector<Tensor> G = load_external_G(file, "G_LM", trained->config(), DType::Float64);
  const auto transferred = transfer_to_predefined_G(*trained, G);
  EXPECT_EQ(transferred->config().custom_G_type, GType::External);
  EXPECT_LT(transferred->named_parameters().size(), trained->named_parameters().size());  // no metric learner

  ag::NoGradGuard no_grad;
  const Tensor ids = from_vector(prompt, {1, 6});
  const Tensor expected = trained->forward(ids).logits.value(), got = transferred->forward(ids).logits.value();
  EXPECT_LT(testing::max_abs_diff(got, expected), 1e-12);
  // On another input the learned G would differ from the frozen one: so would the logits.
  const Tensor other = from_vector(std::vector<int32_t>{30, 2, 8, 19, 4, 6}, {1, 6});
  EXPECT_GT(testing::max_abs_diff(transferred->forward(other).logits.value(), trained->forward(other).logits.value()),
            1e-9);
}

TEST(GTransfer, RejectsWrongGAndPredefinedModels) {
  const auto trained = testing::tiny_model(11);
  EXPECT_THROW(transfer_to_predefined_G(*trained, {}), std::invalid_argument);
  const Tensor wrong = zeros({1, 2, 4, 4}, DType::Float64);
  EXPECT_THROW(transfer_to_predefined_G(*trained, {wrong, wrong}), std::invalid_argument);
  const auto identity = testing::tiny_model(11, GType::Identity);
  EXPECT_THROW(transfer_to_predefined_G(*identity, identity->predefined_G), std::invalid_argument);
}

}  // namespace
}  // namespace pldr
