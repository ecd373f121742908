// The training loop: exact resume, divergence handling, metrics and checkpoint contents.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data/token_file.h"
#include "io/hdf5_file.h"
#include "tensor/random.h"
#include "tests/pldr/tiny_model.h"
#include "train/checkpoint.h"
#include "train/checkpoint_history.h"
#include "train/trainer.h"
#ifdef _OPENMP
#include <omp.h>
#endif

namespace pldr {
namespace {

namespace fs = std::filesystem;

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("trainer_" + std::to_string(::getpid()) + "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // A token stream with some structure: a repeating phrase with random insertions.
    Generator gen(3);
    std::vector<int32_t> tokens;
    for (int i = 0; i < 3000; ++i)
      tokens.push_back(i % 7 == 6 ? 3 : static_cast<int32_t>(4 + (i * 5 + gen.next_u64() % 3) % 30));
    data::write_token_file((dir_ / "train.tok").string(), tokens, 40);
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunConfig config(const std::string& out) const {
    RunConfig c;
    c.model = testing::tiny_config();
    c.data.train = (dir_ / "train.tok").string();
    c.data.context = 8;
    c.data.batch_size = 2;
    c.schedule.warmup_steps = 2;
    c.training.steps = 6;
    c.training.log_every = 1;
    c.training.eval_every = 0;
    c.training.checkpoint_every = 0;
    c.training.dtype = "float64";
    c.dag = {0.01, 0.0, 0.02};
    c.out_dir = (dir_ / out).string();
    return c;
  }

  fs::path dir_;
};

std::vector<std::vector<double>> parameters_of(const std::string& checkpoint) {
  LoadedCheckpoint c = load_checkpoint(checkpoint);
  std::vector<std::vector<double>> values;
  for (const auto& [name, p] : c.model->named_parameters()) values.push_back(p.value().to_vector<double>());
  return values;
}

TEST_F(TrainerTest, ResumeIsBitIdentical) {
  TrainOptions quiet;  // no callbacks: nothing reported
  const TrainSummary whole = train(config("whole"), quiet);
  EXPECT_EQ(whole.steps, 6);

  TrainOptions first_half = quiet;
  first_half.stop_after = 3;
  EXPECT_EQ(train(config("halves"), first_half).steps, 3);
  EXPECT_EQ(load_checkpoint((dir_ / "halves/checkpoint.h5").string()).state.step, 3);
  TrainOptions second_half = quiet;
  second_half.resume_from = (dir_ / "halves/checkpoint.h5").string();
  EXPECT_EQ(train(RunConfig{}, second_half).steps, 6);

  const auto a = parameters_of((dir_ / "whole/checkpoint.h5").string());
  const auto b = parameters_of((dir_ / "halves/checkpoint.h5").string());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << "parameter " << i << " differs after resume";
  // And the parameters did move: the run trained.
  PldrModel initial(testing::tiny_config(), DType::Float64);
  initial.initialize(config("x").seed);
  EXPECT_NE(initial.named_parameters()[0].second.value().to_vector<double>(), a[0]);
}

// The research hooks: the checkpoint history, global averages that survive a resume, epoch lines
// and the deductive statistics in metrics.jsonl.
TEST_F(TrainerTest, HistoryRunningAveragesAndDeductiveStatsAcrossAResume) {
  std::vector<int32_t> short_stream(60);
  for (int i = 0; i < 60; ++i) short_stream[i] = i % 7 == 6 ? 3 : 4 + i % 30;
  data::write_token_file((dir_ / "short.tok").string(), short_stream, 40);  // 6 samples: 3 batches an epoch
  auto research = [&](const std::string& out) {
    RunConfig c = config(out);
    c.data.train = (dir_ / "short.tok").string();
    c.training.checkpoint_every = 1;
    c.training.keep_every = 4;
    c.training.keep_last = 2;
    return c;
  };
  TrainOptions quiet;  // no callbacks: nothing reported
  train(research("whole"), quiet);
  TrainOptions first_half = quiet;
  first_half.stop_after = 3;
  train(research("halves"), first_half);
  TrainOptions second_half = quiet;
  second_half.resume_from = (dir_ / "halves/checkpoint.h5").string();
  train(RunConfig{}, second_half);

  auto lines = [&](const std::string& out) {
    std::vector<nlohmann::json> all;
    std::ifstream in(dir_ / out / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) all.push_back(nlohmann::json::parse(line));
    return all;
  };
  const std::vector<nlohmann::json> whole = lines("whole"), halves = lines("halves");
  ASSERT_EQ(whole.size(), halves.size());
  EXPECT_EQ(whole.back()["global_loss"], halves.back()["global_loss"]);  // kept across the resume
  EXPECT_EQ(whole.back()["global_accuracy"], halves.back()["global_accuracy"]);
  int epoch_lines = 0;
  for (const nlohmann::json& j : whole)
    if (j.contains("epoch")) {
      ++epoch_lines;
      EXPECT_EQ(j["epoch"], 0);
      EXPECT_EQ(j["step"], 3);  // epoch 0 was steps 0-2
      EXPECT_TRUE(std::isfinite(j["epoch_loss"].get<double>()));
    } else {
      EXPECT_TRUE(j.contains("G_LM_mean_layer1"));
      EXPECT_TRUE(j.contains("A_LM_std_layer0"));
    }
  EXPECT_EQ(epoch_lines, 1);
  for (const char* out : {"whole", "halves"}) {
    const CheckpointHistory history((dir_ / out).string(), 4, 2);
    EXPECT_EQ(history.saved_steps(), (std::vector<int64_t>{4, 5, 6})) << out;
    EXPECT_EQ(load_checkpoint(history.path_for(4)).state.step, 4);
  }
}

// training.save_at keeps the checkpoints of the listed steps; the DAG terms are logged as averages
// over the logging window, and validation adds its own DAG terms.
TEST_F(TrainerTest, SavesAtListedStepsAndLogsDagAveragesWithValidation) {
  RunConfig c = config("save_at");
  c.data.val = c.data.train;
  c.training.eval_every = 3;
  c.training.eval_batches = 2;
  c.training.log_every = 3;
  c.training.save_at = {2, 5};
  TrainOptions quiet;  // no callbacks: nothing reported
  train(c, quiet);
  const CheckpointHistory history(c.out_dir, 0, 0, c.training.save_at);
  EXPECT_EQ(history.saved_steps(), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(load_checkpoint(history.path_for(5)).state.step, 5);

  // The same run logging every step: each window's DAG terms are the mean of its steps'.
  RunConfig every = config("save_at_every_step");
  every.data.val = c.data.train;
  every.training.eval_every = 3;
  every.training.eval_batches = 2;
  auto lines = [](const std::string& out) {
    std::vector<nlohmann::json> all;
    std::ifstream in(out + "/metrics.jsonl");
    for (std::string line; std::getline(in, line);) all.push_back(nlohmann::json::parse(line));
    return all;
  };
  train(every, quiet);
  const std::vector<nlohmann::json> windows = lines(c.out_dir), steps = lines(every.out_dir);
  ASSERT_EQ(windows.size(), 2u);
  ASSERT_EQ(steps.size(), 6u);
  for (size_t w = 0; w < 2; ++w)
    for (const char* key : {"dag_A_LM", "dag_Ap", "dag_G_LM"}) {
      const double mean = (steps[3 * w][key].get<double>() + steps[3 * w + 1][key].get<double>() +
                           steps[3 * w + 2][key].get<double>()) /
                          3;
      EXPECT_NEAR(windows[w][key].get<double>(), mean, 1e-12 * std::abs(mean)) << key << " window " << w;
      EXPECT_NE(windows[w][key].get<double>(), steps[3 * w + 2][key].get<double>()) << key << ": not the last step's";
      const std::string val = std::string("val_") + key;
      ASSERT_TRUE(windows[w].contains(val)) << val;
      EXPECT_GT(windows[w][val].get<double>(), 0.0) << val;
      EXPECT_EQ(windows[w][val], steps[3 * w + 2][val]) << val << ": the same validation";
    }
  EXPECT_FALSE(steps[0].contains("val_dag_A_LM"));  // only on the lines that validated

  RunConfig bad = c;
  bad.training.save_at = {0};
  EXPECT_THROW(bad.validate(), std::invalid_argument);
  nlohmann::json j = c.to_json();
  RunConfig::apply_override(j, "training.save_at=[3,4]");
  EXPECT_EQ(RunConfig::from_json(j).training.save_at, (std::vector<int64_t>{3, 4}));
  RunConfig::apply_override(j, "training.save_at=7");
  EXPECT_THROW(RunConfig::from_json(j), std::invalid_argument);
}

// The same run on 1, 2 and 3 threads ends with the same parameters bit for bit. The model is
// large enough for the threaded kernels to split their work: products by rows and by columns
// (the logits: 128 rows, 400 columns), layer norms, softmax, reductions and AdamW.
TEST_F(TrainerTest, ParametersDoNotDependOnTheThreadCount) {
#ifdef _OPENMP
  TrainOptions quiet;  // no callbacks: nothing reported
  RunConfig c = config("threads");
  c.model.vocab_size = 400;
  c.model.hidden_size = 64;
  c.model.num_attention_heads = 4;
  c.model.head_dim = 16;
  c.model.intermediate_size = 128;
  c.model.A_dff = 32;
  c.data.context = 32;
  c.data.batch_size = 4;
  c.training.steps = 3;
  c.training.dtype = "float32";
  const int before = omp_get_max_threads();
  std::vector<std::vector<std::vector<double>>> runs;
  for (int threads = 1; threads <= 3; ++threads) {
    c.training.threads = threads;
    c.out_dir = (dir_ / ("threads" + std::to_string(threads))).string();
    train(c, quiet);
    runs.push_back(parameters_of(c.out_dir + "/checkpoint.h5"));
  }
  omp_set_num_threads(before);
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), runs[0].size());
    for (size_t i = 0; i < runs[0].size(); ++i)
      EXPECT_EQ(runs[r][i], runs[0][i]) << "parameter " << i << ": " << r + 1 << " threads against 1";
  }
#else
  GTEST_SKIP() << "built without OpenMP";
#endif
}

// training.threads sets the threads, and PLDR_NUM_THREADS (where `pldr --threads` leaves its
// value) wins over it.
TEST_F(TrainerTest, TheEnvironmentsThreadCountWinsOverTheConfiguration) {
#ifdef _OPENMP
  TrainOptions quiet;
  RunConfig c = config("threads_env");
  c.training.steps = 1;
  c.training.threads = 3;
  const int before = omp_get_max_threads();
  ::unsetenv("PLDR_NUM_THREADS");
  train(c, quiet);
  EXPECT_EQ(omp_get_max_threads(), 3);
  ::setenv("PLDR_NUM_THREADS", "2", 1);
  c.out_dir += "2";
  train(c, quiet);
  ::unsetenv("PLDR_NUM_THREADS");
  EXPECT_EQ(omp_get_max_threads(), 2);
  omp_set_num_threads(before);
#else
  GTEST_SKIP() << "built without OpenMP";
#endif
}

// Two micro-batches of one sample accumulate to the gradient of one batch of two (packed samples
// have no pads, so both are means over the same 16 targets).
TEST_F(TrainerTest, GradientAccumulationMatchesTheLargerBatch) {
  TrainOptions quiet;  // no callbacks: nothing reported
  RunConfig big = config("big");
  big.data.shuffle = false;
  big.dag = {0, 0, 0};
  RunConfig accumulated = big;
  accumulated.out_dir = (dir_ / "accumulated").string();
  accumulated.data.batch_size = 1;
  accumulated.data.grad_accum = 2;
  train(big, quiet);
  train(accumulated, quiet);
  const auto a = parameters_of((dir_ / "big/checkpoint.h5").string());
  const auto b = parameters_of((dir_ / "accumulated/checkpoint.h5").string());
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < a[i].size(); ++j)
      ASSERT_NEAR(a[i][j], b[i][j], 1e-9) << "parameter " << i << " element " << j;
}

TEST_F(TrainerTest, WritesMetricsAndTheResolvedConfiguration) {
  TrainOptions quiet;  // no callbacks: nothing reported
  train(config("run"), quiet);
  std::ifstream metrics(dir_ / "run/metrics.jsonl");
  int lines = 0;
  std::string line;
  while (std::getline(metrics, line)) {
    const nlohmann::json j = nlohmann::json::parse(line);
    for (const char* key : {"step", "loss", "accuracy", "global_loss", "lr", "grad_norm", "tokens_per_s", "dag_A_LM",
                            "dag_Ap", "dag_G_LM"})
      EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(std::isfinite(j["loss"].get<double>()));
    ++lines;
  }
  EXPECT_EQ(lines, 6);
  std::ifstream saved(dir_ / "run/run_config.json");
  EXPECT_EQ(RunConfig::from_json(nlohmann::json::parse(saved)).to_json(), config("run").to_json());
}

TEST_F(TrainerTest, NaNLossStopsTheRunAndKeepsTheLastGoodCheckpoint) {
  TrainOptions quiet;  // no callbacks: nothing reported
  quiet.stop_after = 2;
  train(config("run"), quiet);
  const std::string good = (dir_ / "run/checkpoint.h5").string();
  const auto before = parameters_of(good);

  // A checkpoint whose LM-head bias holds a NaN, saved elsewhere, then resumed into the same out_dir.
  LoadedCheckpoint c = load_checkpoint(good);
  c.model->final_layer.bias.mutable_value().select(0, 5).fill(NAN);
  const std::string poisoned = (dir_ / "poisoned.h5").string();
  optim::AdamW adamw(c.model->parameters(), {});
  save_checkpoint(poisoned, c.config, *c.model, &adamw, c.state);

  TrainOptions resume = quiet;
  resume.stop_after = -1;
  resume.resume_from = poisoned;
  try {
    train(RunConfig{}, resume);
    FAIL() << "a NaN loss did not stop training";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("diverged"), std::string::npos) << message;
    EXPECT_NE(message.find("step 3"), std::string::npos) << message;
    EXPECT_NE(message.find(good), std::string::npos) << message;
  }
  EXPECT_EQ(parameters_of(good), before);  // nothing was written over the good checkpoint
}

TEST_F(TrainerTest, RejectsBadData) {
  TrainOptions quiet;  // no callbacks: nothing reported
  RunConfig c = config("run");
  c.data.train = (dir_ / "missing.tok").string();
  EXPECT_THROW(train(c, quiet), std::runtime_error);
  c = config("run");
  c.model.vocab_size = 20;  // the token file's vocabulary is 40
  try {
    train(c, quiet);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("vocabulary"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pldr

namespace pldr {
namespace {

// The reference's predefined G_LM file (paper_G_LM.h5: <group>/layer{i} = [1, 14, 64, 64]).
TEST(ExternalG, LoadsThePaperLayoutAndChecksShapes) {
  PldrConfig c;  // the 110M configuration: 5 layers, 14 heads of 64
  const std::string file = std::string(PLDR_TEST_DATA_DIR) + "/golden/paper_G_LM.h5";
  const std::vector<Tensor> identity = load_external_G(file, "identity", c, DType::Float32);
  ASSERT_EQ(identity.size(), 5u);
  EXPECT_EQ(identity[4].shape(), (Shape{1, 14, 64, 64}));
  EXPECT_EQ(identity[0].select(0, 0).select(0, 3).diagonal().to_vector<float>(), std::vector<float>(64, 1.0f));
  const std::vector<Tensor> learned = load_external_G(file, "learned_PLDRv51_110M_1", c, DType::Float32);
  EXPECT_NE(learned[2].to_vector<float>(), identity[2].to_vector<float>());
  PldrConfig small = testing::tiny_config();
  EXPECT_THROW(load_external_G(file, "identity", small, DType::Float32), std::runtime_error);  // wrong shape
  EXPECT_THROW(load_external_G(file, "no_such_group", c, DType::Float32), std::runtime_error);
}

// A model with custom_G_type external trains with the loaded G and has no metric learner.
TEST_F(TrainerTest, ExternalGRunTrains) {
  const std::string gfile = (dir_ / "g.h5").string();
  {
    io::H5File f = io::H5File::create(gfile);
    Generator gen(1);
    for (int l = 0; l < 2; ++l) {
      const Tensor g = gen.normal({1, 2, 8, 8}, 0, 0.3, DType::Float64);
      f.write<double>("mine/layer" + std::to_string(l), g.data<double>(), {1, 2, 8, 8});
    }
  }
  RunConfig c = config("external");
  c.model.custom_G_type = GType::External;
  c.external_G = {gfile, "mine"};
  c.dag = {0, 0, 0};
  TrainOptions quiet;  // no callbacks: nothing reported
  train(c, quiet);
  LoadedCheckpoint ck = load_checkpoint((dir_ / "external/checkpoint.h5").string());
  EXPECT_EQ(ck.model->predefined_G.size(), 2u);
  EXPECT_EQ(ck.model->predefined_G[1].to_vector<double>(),
            load_external_G(gfile, "mine", c.model, DType::Float64)[1].to_vector<double>());
}

}  // namespace
}  // namespace pldr
