// The scoring arithmetic against the golden files (tests/data/golden, from the reference): a
// continuation that ends where a golden input ends is scored from one forward pass over exactly
// that input, so its log-likelihood must equal the sum taken from the file's reference logits,
// for every split of the row into context and continuation.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "eval/loglikelihood.h"
#include "io/hdf5_file.h"
#include "reference/rope_table_fit.h"
#include "tensor/creation.h"

namespace pldr::eval {
namespace {

Tensor read_float64(io::H5File& f, const std::string& path) {
  std::vector<int64_t> shape;
  const std::vector<double> v = f.read<double>(path, &shape);
  return from_vector(v, Shape(shape.begin(), shape.end()), DType::Float64);
}

// The golden model in float64 with the reference's own RoPE table (fitted from the file), the
// way `pldr verify-golden` reaches 1e-13 on the logits.
std::unique_ptr<PldrModel> golden_model(io::H5File& f, const Tensor& inputs) {
  nlohmann::json config;
  for (const std::string& name : f.attribute_names("config"))
    config[name] = name == "rope" ? nlohmann::json(f.read_attribute_string("config", name))
                   : name == "layer_norm_eps" || name == "rope_theta"
                       ? nlohmann::json(f.read_attribute_double("config", name))
                       : nlohmann::json(f.read_attribute_int("config", name));
  auto model = std::make_unique<PldrModel>(PldrConfig::from_json(config), DType::Float64);
  for (auto& [name, p] : model->named_parameters()) p.mutable_value() = read_float64(f, "params/" + name);
  const reference::RopeTable rope = reference::fit_rope_table(*model, inputs, read_float64(f, "forward/layer0/G_LM"),
                                                              read_float64(f, "forward/layer0/scores"));
  for (auto& layer : model->decoder.dec_layers) layer->mha1.rotary.set_table(rope.cos, rope.sin);
  return model;
}

class GoldenScoring : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenScoring, EverySplitOfAGoldenRowScoresAsTheReferenceLogitsSay) {
  io::H5File f = io::H5File::open_read(std::string(PLDR_TEST_DATA_DIR) + "/golden/" + GetParam());
  std::vector<int64_t> shape;
  const std::vector<int32_t> tokens = f.read<int32_t>("inputs/tokens", &shape);  // [B, S+1]
  const int64_t B = shape[0], S = shape[1] - 1;
  std::vector<int32_t> inputs;
  for (int64_t b = 0; b < B; ++b)
    inputs.insert(inputs.end(), tokens.begin() + b * (S + 1), tokens.begin() + b * (S + 1) + S);
  const auto model = golden_model(f, from_vector(inputs, {B, S}));
  const std::vector<double> logits = read_float64(f, "forward/logits").to_vector<double>();  // [B, S, V]
  const int64_t V = model->config().vocab_size;

  std::vector<Request> requests;
  std::vector<double> expected;
  for (int64_t b = 0; b < B; ++b) {
    const int32_t* row = tokens.data() + b * (S + 1);
    for (int64_t c = 1; c <= S; ++c) {
      requests.push_back({std::vector<int32_t>(row, row + c), std::vector<int32_t>(row + c, row + S + 1)});
      long double sum = 0;
      for (int64_t i = c; i <= S; ++i) {  // log_softmax of the logits at i-1, at token i
        const double* z = logits.data() + (b * S + i - 1) * V;
        long double top = *std::max_element(z, z + V), total = 0;
        for (int64_t v = 0; v < V; ++v) total += std::exp(static_cast<long double>(z[v]) - top);
        sum += z[row[i]] - top - std::log(total);
      }
      expected.push_back(static_cast<double>(sum));
    }
  }
  ScoringOptions o;
  o.batch_size = 5;
  const std::vector<Score> scores = score(*model, requests, o);
  for (size_t i = 0; i < requests.size(); ++i)
    EXPECT_NEAR(scores[i].loglikelihood, expected[i], 1e-10) << GetParam() << " request " << i;
}

INSTANTIATE_TEST_SUITE_P(ReferenceFiles, GoldenScoring, ::testing::Values("tiny.h5", "small.h5"));

}  // namespace
}  // namespace pldr::eval
