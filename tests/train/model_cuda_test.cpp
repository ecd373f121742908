// The model on the GPU against the CPU (issue 8): forward logits and gradients of a small model in
// float64 (within 1e-9) and float32 (the golden check's float32 margin), training steps that repeat
// bit for bit run to run, and a checkpoint saved from the GPU that loads on the CPU unchanged.
// Every test skips, naming the reason, where no CUDA device is usable.
#include <gtest/gtest.h>

#include <filesystem>

#include "autograd/ops.h"
#include "pldr/losses.h"
#include "tensor/backend.h"
#include "tensor/random.h"
#include "tests/pldr/tiny_model.h"
#include "train/checkpoint.h"
#include "train/step.h"

namespace pldr {
namespace {

class ModelCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      backend(Device::CUDA);
    } catch (const std::runtime_error& e) {
      GTEST_SKIP() << e.what();
    }
  }
};

// A model initialised on `device` (drawn on the host, so the same numbers everywhere).
std::unique_ptr<PldrModel> model_on(Device device, DType dtype) {
  auto m = std::make_unique<PldrModel>(testing::tiny_config(), dtype);
  m->to(device);
  m->initialize(7);
  return m;
}

Tensor batch(uint64_t seed) {  // [2, 13] token ids in [1, 40)
  Generator gen(seed);
  std::vector<int32_t> ids;
  for (int i = 0; i < 26; ++i) ids.push_back(1 + int32_t(gen.next_u64() % 39));
  return from_vector(ids, {2, 13});
}

double max_relative(const Tensor& ours, const Tensor& reference) {
  const auto a = ours.to_vector<double>(), b = reference.to_vector<double>();
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff = std::max(diff, std::abs(a[i] - b[i])), scale = std::max(scale, std::abs(b[i]));
  return scale > 0 ? diff / scale : diff;
}

struct Pass {
  Tensor logits;
  std::vector<Tensor> grads;
  double loss;
};

Pass forward_backward(PldrModel& model, const Tensor& tokens) {
  const Example ex = example_from_tokens(tokens.to(model.device()));
  const ForwardResult r = model.forward(ex.input);
  const LanguageModelLoss ce = masked_cross_entropy(r.logits, ex.target);
  const DagLoss dag = dag_loss(r.layers, {0.01, 0.01, 0.01});
  const ag::Variable total = ag::add(ce.loss, dag.weighted);
  total.backward();
  Pass p{r.logits.value(), {}, total.item()};
  for (ag::Variable& v : model.parameters()) {
    p.grads.push_back(v.grad());
    v.zero_grad();
  }
  return p;
}

void compare_with_cpu(DType dtype, double logits_tolerance, double grad_tolerance) {
  auto cpu = model_on(Device::CPU, dtype);
  auto gpu = model_on(Device::CUDA, dtype);
  const auto cpu_params = cpu->parameters(), gpu_params = gpu->parameters();
  for (size_t i = 0; i < cpu_params.size(); ++i)
    ASSERT_EQ(gpu_params[i].value().to_vector<double>(), cpu_params[i].value().to_vector<double>())
        << "parameter " << i;
  const Tensor tokens = batch(3);
  const Pass a = forward_backward(*cpu, tokens), b = forward_backward(*gpu, tokens);
  EXPECT_EQ(b.logits.device(), Device::CUDA);
  EXPECT_LE(max_relative(b.logits, a.logits), logits_tolerance);
  EXPECT_NEAR(b.loss, a.loss, logits_tolerance * std::abs(a.loss));
  const auto named = cpu->named_parameters();
  for (size_t i = 0; i < a.grads.size(); ++i)
    EXPECT_LE(max_relative(b.grads[i], a.grads[i]), grad_tolerance) << named[i].first;
}

TEST_F(ModelCuda, Float64ForwardAndGradientsMatchTheCpu) { compare_with_cpu(DType::Float64, 1e-9, 1e-9); }

// float32: the golden check's logits margin is 1e-4 (abs, logits of order 1); gradients go
// through expm and real powers, which amplify rounding, hence 1e-3 relative to their largest.
TEST_F(ModelCuda, Float32ForwardAndGradientsMatchTheCpu) { compare_with_cpu(DType::Float32, 1e-4, 1e-3); }

std::vector<double> train_losses(PldrModel& model, optim::AdamW& adamw, int steps) {
  StepSettings settings;
  settings.dag = {0.01, 0.0, 0.02};
  settings.clip_norm = 1.0;
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s)
    losses.push_back(train_step(model, adamw, {example_from_tokens(batch(10 + s))}, 1e-3, settings).loss);
  return losses;
}

TEST_F(ModelCuda, TrainingRepeatsBitForBit) {
  std::vector<std::vector<double>> losses, params;
  for (int run = 0; run < 2; ++run) {
    auto m = model_on(Device::CUDA, DType::Float32);
    optim::AdamW adamw(m->parameters(), {0.9, 0.95, 1e-5, 0.1});
    losses.push_back(train_losses(*m, adamw, 4));
    std::vector<double> flat;
    for (const ag::Variable& p : m->parameters()) {
      const auto v = p.value().to_vector<double>();
      flat.insert(flat.end(), v.begin(), v.end());
    }
    params.push_back(flat);
  }
  EXPECT_EQ(losses[0], losses[1]);
  EXPECT_EQ(params[0], params[1]);
}

TEST_F(ModelCuda, CheckpointSavedOnTheGpuLoadsOnTheCpu) {
  auto gpu = model_on(Device::CUDA, DType::Float64);
  optim::AdamW adamw(gpu->parameters(), {0.9, 0.95, 1e-5, 0.1});
  train_losses(*gpu, adamw, 2);
  RunConfig config;
  config.model = testing::tiny_config();
  config.data.train = "unused.tok";
  config.data.context = 12;
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / ("model_cuda_" + std::to_string(::getpid()) + ".h5")).string();
  save_checkpoint(path, config, *gpu, &adamw, TrainingState{});
  LoadedCheckpoint loaded = load_checkpoint(path);
  EXPECT_EQ(loaded.model->device(), Device::CPU);
  const auto a = gpu->parameters(), b = loaded.model->parameters();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(b[i].value().to_vector<double>(), a[i].value().to_vector<double>());
  // Its optimiser state resumes on the GPU: the moments land on the model's device.
  loaded.model->to(Device::CUDA);
  optim::AdamW resumed(loaded.model->parameters(), {0.9, 0.95, 1e-5, 0.1});
  load_optimizer_state(path, *loaded.model, resumed);
  EXPECT_EQ(resumed.first_moments()[0].device(), Device::CUDA);
  EXPECT_EQ(resumed.first_moments()[0].to_vector<double>(), adamw.first_moments()[0].to_vector<double>());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace pldr
