// Data-parallel training through the `pldr` tool on localhost: N ranks against one rank on the
// same samples, resume, and what a lost rank leaves behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "data/token_file.h"
#include "tensor/random.h"
#include "tests/dist/fork_ranks.h"
#include "tests/dist/pldr_process.h"
#include "tests/pldr/tiny_model.h"
#include "train/checkpoint.h"

namespace pldr {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using testing::PldrProcess;

struct RunOutput {
  std::vector<nlohmann::json> metrics;
  std::vector<std::vector<double>> parameters;
};

class DataParallel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("data_parallel_" + std::to_string(::getpid()) + "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Generator gen(5);
    std::vector<int32_t> tokens;
    for (int i = 0; i < 4000; ++i)
      tokens.push_back(i % 7 == 6 ? 3 : static_cast<int32_t>(4 + (i * 5 + gen.next_u64() % 3) % 30));
    data::write_token_file(path("train.tok"), tokens, 40);
    tokens.resize(1000);
    std::reverse(tokens.begin(), tokens.end());
    data::write_token_file(path("val.tok"), tokens, 40);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  RunConfig config(const std::string& out, int64_t batch, int64_t accum, const std::string& dtype) const {
    RunConfig c;
    c.model = testing::tiny_config();
    c.data.train = path("train.tok");
    c.data.context = 8;
    c.data.batch_size = batch;
    c.data.grad_accum = accum;
    c.schedule.warmup_steps = 2;
    c.training.steps = 4;
    c.training.log_every = 1;
    c.training.eval_every = 0;
    c.training.checkpoint_every = 0;
    c.training.dtype = dtype;
    c.training.threads = 1;
    c.dag = {0.01, 0.0, 0.02};
    c.out_dir = path(out);
    return c;
  }

  // `pldr train` on `nproc` local ranks; fails the test unless it succeeds.
  RunOutput train(const RunConfig& c, int nproc, const std::vector<std::string>& extra = {},
                  const std::map<std::string, std::string>& env = {}) {
    const std::string file = c.out_dir + ".json";
    std::ofstream(file) << c.to_json().dump();
    std::vector<std::string> args{"train", "--config", file, "--quiet", "--nproc", std::to_string(nproc)};
    args.insert(args.end(), extra.begin(), extra.end());
    PldrProcess p(args, env, c.out_dir + ".log");
    EXPECT_EQ(p.wait(seconds(120)), 0) << p.output();
    return read_run(c.out_dir);
  }

  static RunOutput read_run(const std::string& out_dir) {
    RunOutput r;
    std::ifstream metrics(out_dir + "/metrics.jsonl");
    for (std::string line; std::getline(metrics, line);) r.metrics.push_back(nlohmann::json::parse(line));
    LoadedCheckpoint c = load_checkpoint(out_dir + "/checkpoint.h5");
    for (const auto& [name, p] : c.model->named_parameters()) r.parameters.push_back(p.value().to_vector<double>());
    return r;
  }

  fs::path dir_;
};

const char* const kStepNumbers[] = {"loss",   "accuracy", "grad_norm",   "dag_A_LM",
                                    "dag_Ap", "dag_G_LM", "global_loss", "tokens_seen"};

// Every logged number within `numbers` (relative) and every final parameter within `parameters`
// (absolute); 0 asks for the same bits.
void expect_same_run(const RunOutput& a, const RunOutput& b, double numbers, double parameters,
                     const std::string& what) {
  ASSERT_EQ(a.metrics.size(), b.metrics.size()) << what;
  double worst_number = 0;
  for (size_t s = 0; s < a.metrics.size(); ++s)
    for (const char* key : kStepNumbers) {
      const double x = a.metrics[s][key].get<double>(), y = b.metrics[s][key].get<double>();
      worst_number = std::max(worst_number, std::abs(x - y) / std::max(1.0, std::abs(x)));
      if (numbers == 0) EXPECT_EQ(x, y) << what << ": " << key << " at step " << s + 1;
      else EXPECT_NEAR(x, y, numbers * std::max(1.0, std::abs(x))) << what << ": " << key << " at step " << s + 1;
    }
  ASSERT_EQ(a.parameters.size(), b.parameters.size());
  double worst = 0;
  for (size_t i = 0; i < a.parameters.size(); ++i)
    for (size_t j = 0; j < a.parameters[i].size(); ++j)
      worst = std::max(worst, std::abs(a.parameters[i][j] - b.parameters[i][j]));
  if (parameters == 0) EXPECT_EQ(worst, 0.0) << what;
  else EXPECT_LE(worst, parameters) << what;
  std::cout << what << ": numbers differ by at most " << worst_number << " (relative), parameters by at most " << worst
            << "\n";
}

// Two ranks of one sample each see the samples of one rank with two micro-batches of one sample,
// in the same order, and the ring's two-rank sum is the one addition the single rank makes: the
// same bits, float32 and float64.
TEST_F(DataParallel, TwoRanksEqualOneRankBitForBit) {
  for (const std::string dtype : {"float64", "float32"}) {
    const RunOutput one = train(config("one_" + dtype, 1, 2, dtype), 1);
    const RunOutput two = train(config("two_" + dtype, 1, 1, dtype), 2);
    expect_same_run(one, two, 0, 0, "2 ranks, " + dtype);
  }
}

// The same at batch 4: a rank takes whole batches of the epoch's order (rank r the batches
// r, r + 2, ...), so rank r's micro-batch is the single rank's micro-batch r, with its samples in the
// same order; the micro-batch means, the 1/2 scaling and the one addition of the two gradients are
// then the same floating-point operations on both paths.
TEST_F(DataParallel, TwoRanksEqualOneRankBitForBitAtBatchFour) {
  for (const std::string dtype : {"float64", "float32"}) {
    const RunOutput one = train(config("one_" + dtype, 4, 2, dtype), 1);
    const RunOutput two = train(config("two_" + dtype, 4, 1, dtype), 2);
    expect_same_run(one, two, 0, 0, "2 ranks of batch 4, " + dtype);
  }
}

// Gloo's ring behind the same interface: for two ranks its sum is the same one addition.
TEST_F(DataParallel, GlooEngineTrainsLikeTheRing) {
#ifdef PLDR_HAVE_GLOO
  for (const int64_t batch : {1, 4}) {
    const std::string b = std::to_string(batch);
    const RunOutput one = train(config("one" + b, batch, 2, "float32"), 1);
    const RunOutput gloo = train(config("gloo" + b, batch, 1, "float32"), 2, {}, {{"PLDR_DIST_ENGINE", "gloo"}});
    expect_same_run(one, gloo, 0, 0, "2 ranks of batch " + b + " over Gloo");
  }
#else
  GTEST_SKIP() << "built without Gloo (libgloo-dev)";
#endif
}

// N ranks of batch 2 against one rank of batch 2N: the same samples, summed in another order
// (within each rank's batch, then over ranks), so equal within rounding. A few AdamW steps of
// this small model amplify rounding (elementwise clipping, near-zero second moments, the DAG
// terms' matrix exponentials): in float64 the numbers agree within 1e-9 and the parameters within
// 1e-10 (measured: 2e-13 and 2e-14); in float32 within 1e-3 and 1e-5 (measured: 1.1e-4 and
// 1.1e-6).
TEST_F(DataParallel, TwoAndThreeRanksMatchOneRankOnTheCombinedBatch) {
  struct Tolerance {
    const char* dtype;
    double numbers, parameters;
  };
  for (const int ranks : {2, 3})
    for (const Tolerance t : {Tolerance{"float64", 1e-9, 1e-10}, Tolerance{"float32", 1e-3, 1e-5}}) {
      const std::string name = std::to_string(ranks) + "_" + t.dtype;
      RunConfig c = config("one_" + name, 2 * ranks, 1, t.dtype);
      c.data.val = path("val.tok");  // validated at steps 2 and 4: ranks share the batches
      c.training.eval_every = 2;
      c.training.eval_batches = 3;
      const RunOutput one = train(c, 1);
      c.out_dir = path("many_" + name);
      c.data.batch_size = 2;
      const RunOutput many = train(c, ranks);
      for (const size_t s : {1, 3}) {
        ASSERT_TRUE(many.metrics[s].contains("val_loss"));
        EXPECT_NEAR(many.metrics[s]["val_loss"].get<double>(), one.metrics[s]["val_loss"].get<double>(), t.numbers)
            << name;
        EXPECT_NEAR(many.metrics[s]["val_accuracy"].get<double>(), one.metrics[s]["val_accuracy"].get<double>(),
                    t.numbers)
            << name;
      }
      expect_same_run(one, many, t.numbers, t.parameters, std::to_string(ranks) + " ranks, " + t.dtype);
    }
}

// The checkpoint of a 2-rank run resumes exactly on 2 ranks, and refuses a world size that cannot
// share its data position (others: ShardedCheckpointsResumeUnshardedAndAtAnotherWorldSize).
TEST_F(DataParallel, ResumeKeepsTheWorldSize) {
  RunConfig whole = config("whole", 1, 1, "float64");
  whole.training.steps = 6;
  const RunOutput a = train(whole, 2);
  RunConfig halves = whole;
  halves.out_dir = path("halves");
  train(halves, 2, {"--stop-after", "3"});
  EXPECT_EQ(load_checkpoint(path("halves/checkpoint.h5")).state.world_size, 2);
  PldrProcess resume({"train", "--resume", path("halves/checkpoint.h5"), "--quiet", "--nproc", "2"}, {},
                     path("resume.log"));
  ASSERT_EQ(resume.wait(seconds(120)), 0) << resume.output();
  EXPECT_EQ(read_run(path("halves")).parameters, a.parameters);

  // 2 ranks have read 6 batches each at step 6: 5 ranks cannot go on from there.
  PldrProcess other({"train", "--resume", path("halves/checkpoint.h5"), "--quiet", "--nproc", "5", "training.steps=8"},
                    {}, path("other.log"));
  EXPECT_EQ(other.wait(seconds(120)), 1);
  EXPECT_NE(other.output().find("was written by a run of 2 ranks, this run has 5"), std::string::npos)
      << other.output();
  EXPECT_NE(other.output().find("have read 12 batches of epoch 0, which 5 ranks cannot share evenly"),
            std::string::npos)
      << other.output();
}

// A long run on three ranks started by hand; rank `victim` is killed once a checkpoint exists.
void kill_a_rank(const fs::path& dir, const RunConfig& c, int victim) {
  const std::string file = (dir / "long.json").string();
  std::ofstream(file) << c.to_json().dump();
  const std::string port = std::to_string(dist::testing::free_port());
  std::vector<std::unique_ptr<PldrProcess>> ranks;
  for (int r = 0; r < 3; ++r)
    ranks.push_back(std::make_unique<PldrProcess>(std::vector<std::string>{"train", "--config", file, "--quiet"},
                                                  std::map<std::string, std::string>{{"RANK", std::to_string(r)},
                                                                                     {"WORLD_SIZE", "3"},
                                                                                     {"MASTER_ADDR", "127.0.0.1"},
                                                                                     {"MASTER_PORT", port},
                                                                                     {"PLDR_DIST_TIMEOUT", "20"}},
                                                  (dir / ("rank" + std::to_string(r) + ".log")).string()));
  const std::string checkpoint = c.out_dir + "/checkpoint.h5";
  for (int i = 0; i < 3000 && !fs::exists(checkpoint); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(fs::exists(checkpoint)) << ranks[0]->output();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few more steps, maybe a save under way
  ::kill(ranks[size_t(victim)]->pid(), SIGKILL);
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < 3; ++r) {
    if (r == victim) continue;
    const int code = ranks[size_t(r)]->wait(seconds(40));
    EXPECT_EQ(code, 1) << "rank " << r << ": " << ranks[size_t(r)]->output();
    EXPECT_NE(ranks[size_t(r)]->output().find("rank " + std::to_string(victim) + " lost"), std::string::npos)
        << ranks[size_t(r)]->output();
  }
  // Noticed from the closed connections, long before the 20 s timeout.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
  const LoadedCheckpoint last = load_checkpoint(checkpoint);  // whole, not torn
  EXPECT_GT(last.state.step, 0);
  EXPECT_EQ(last.state.step % c.training.checkpoint_every, 0);
  EXPECT_EQ(last.state.world_size, 3);
}

TEST_F(DataParallel, AKilledRankStopsTheOthersAndTheLastCheckpointStays) {
  RunConfig c = config("long", 1, 1, "float32");
  c.training.steps = 1000000;
  c.training.checkpoint_every = 5;
  c.training.log_every = 1000;
  kill_a_rank(dir_, c, 1);
  c.out_dir = path("long0");
  kill_a_rank(dir_, c, 0);  // rank 0 writes the checkpoints and hosts the store
}

// A rank process's RANK variable ("?" before it runs `pldr` with it).
std::string rank_of(pid_t p) {
  std::ifstream environ("/proc/" + std::to_string(p) + "/environ");
  for (std::string var; std::getline(environ, var, '\0');)
    if (var.rfind("RANK=", 0) == 0) return var.substr(5);
  return "?";
}

// The rank processes a `pldr train --nproc` launcher runs, once there are `count` of them, none
// in `old` (the ranks of an earlier attempt), each running with its RANK; fewer if that does not
// happen within 20 s.
std::vector<pid_t> launched_ranks(const PldrProcess& launcher, size_t count, const std::vector<pid_t>& old = {}) {
  std::vector<pid_t> children;
  for (int i = 0; i < 2000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream list("/proc/" + std::to_string(launcher.pid()) + "/task/" + std::to_string(launcher.pid()) +
                       "/children");
    children.clear();
    for (pid_t p; list >> p;)
      if (std::find(old.begin(), old.end(), p) == old.end() && rank_of(p) != "?") children.push_back(p);
    if (children.size() >= count) break;
  }
  return children;
}

// --nproc forwards a rank's death and stops the others.
TEST_F(DataParallel, TheLauncherForwardsAFailureAndStopsTheOtherRanks) {
  RunConfig c = config("launched", 1, 1, "float32");
  c.training.steps = 1000000;
  c.training.log_every = 1000;
  std::ofstream(path("launched.json")) << c.to_json().dump();
  PldrProcess launcher({"train", "--config", path("launched.json"), "--quiet", "--nproc", "3"},
                       {{"PLDR_DIST_TIMEOUT", "20"}}, path("launcher.log"));
  const std::vector<pid_t> children = launched_ranks(launcher, 3);
  ASSERT_EQ(children.size(), 3u) << launcher.output();
  for (int i = 0; i < 3000 && !fs::exists(path("launched/metrics.jsonl")); ++i)  // rank 0 opens it once all joined
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // training
  const std::string victim = rank_of(children[1]);
  ::kill(children[1], SIGKILL);
  EXPECT_EQ(launcher.wait(seconds(30)), 128 + SIGKILL) << launcher.output();
  for (pid_t p : children) EXPECT_NE(::kill(p, 0), 0) << "rank process " << p << " still runs";
  EXPECT_NE(launcher.output().find("rank " + victim + " lost"), std::string::npos) << launcher.output();
  EXPECT_NE(launcher.output().find("rank " + victim + " was killed by signal 9"), std::string::npos)
      << launcher.output();
}

// --max-restarts: rank 1 is killed once a checkpoint exists; the launcher stops rank 0, starts
// both again from the last checkpoint and the run finishes. Its final parameters are, bit for
// bit, those of a run resumed from that checkpoint (kept in the history) without interruption, and
// those of a run never interrupted (resume is exact); metrics.jsonl holds every step once.
TEST_F(DataParallel, AKilledRankIsRestartedFromTheLastCheckpoint) {
  RunConfig c = config("restarted", 1, 1, "float64");
  c.training.steps = 150;  // long enough that the kill comes well before the end
  c.training.checkpoint_every = 5;
  c.training.keep_every = 5;  // history/step-*.h5: each checkpoint stays
  c.training.log_every = 1;
  std::ofstream(path("restarted.json")) << c.to_json().dump();
  PldrProcess launcher({"train", "--config", path("restarted.json"), "--quiet", "--nproc", "2", "--max-restarts", "2"},
                       {{"PLDR_DIST_TIMEOUT", "30"}}, path("restarted.log"));
  const std::vector<pid_t> ranks = launched_ranks(launcher, 2);
  ASSERT_EQ(ranks.size(), 2u) << launcher.output();
  const pid_t victim = rank_of(ranks[0]) == "1" ? ranks[0] : ranks[1];
  for (int i = 0; i < 6000 && !fs::exists(path("restarted/checkpoint.h5")); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(fs::exists(path("restarted/checkpoint.h5"))) << launcher.output();
  ::kill(victim, SIGKILL);
  ASSERT_EQ(launcher.wait(seconds(300)), 0) << launcher.output();

  // The launcher names the rank, the restart and where it resumed.
  const std::string out = launcher.output();
  const std::string said =
      "rank 1 died (killed by signal 9); restart 1 of 2 from " + path("restarted/checkpoint.h5") + " (step ";
  const size_t at = out.find(said);
  ASSERT_NE(at, std::string::npos) << out;
  const int64_t step = std::stoll(out.substr(at + said.size()));
  EXPECT_GT(step, 0);
  EXPECT_LT(step, c.training.steps) << "the kill came after the run's end";
  EXPECT_EQ(step % c.training.checkpoint_every, 0);
  EXPECT_EQ(out.find("restart 2 of 2"), std::string::npos) << out;
  const RunOutput restarted = read_run(path("restarted"));
  std::vector<int64_t> steps, epochs;
  for (const nlohmann::json& line : restarted.metrics) {
    if (line.contains("epoch")) epochs.push_back(line["epoch"].get<int64_t>());
    else steps.push_back(line["step"].get<int64_t>());
  }
  ASSERT_EQ(steps.size(), size_t(c.training.steps)) << "every step logged once";
  for (size_t s = 0; s < steps.size(); ++s) EXPECT_EQ(steps[s], int64_t(s) + 1);
  for (size_t e = 0; e < epochs.size(); ++e) EXPECT_EQ(epochs[e], int64_t(e)) << "every epoch logged once";

  // The same checkpoint resumed by hand, on 2 ranks, without interruption (it trains into the same
  // out_dir, whose checkpoint it replaces).
  const std::string kept = path("restarted/history/step-" + [&] {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%08ld", long(step));
    return std::string(digits);
  }() + ".h5");
  ASSERT_TRUE(fs::exists(kept));
  fs::copy_file(kept, path("from_checkpoint.h5"));
  PldrProcess resumed({"train", "--resume", path("from_checkpoint.h5"), "--quiet", "--nproc", "2"}, {},
                      path("resumed.log"));
  ASSERT_EQ(resumed.wait(seconds(300)), 0) << resumed.output();
  EXPECT_EQ(read_run(path("restarted")).parameters, restarted.parameters);

  RunConfig whole = c;
  whole.out_dir = path("whole");
  EXPECT_EQ(train(whole, 2).parameters, restarted.parameters);
}

// The restarts are counted: with --max-restarts 1 a second death ends the run with the signal's
// exit status and a message; --max-restarts without --nproc is a usage error.
TEST_F(DataParallel, TheLauncherGivesUpAfterMaxRestarts) {
  RunConfig c = config("given_up", 1, 1, "float32");
  c.training.steps = 1000000;
  c.training.log_every = 1000;
  c.training.checkpoint_every = 5;
  std::ofstream(path("given_up.json")) << c.to_json().dump();
  PldrProcess launcher({"train", "--config", path("given_up.json"), "--quiet", "--nproc", "2", "--max-restarts", "1"},
                       {{"PLDR_DIST_TIMEOUT", "30"}}, path("given_up.log"));
  const std::vector<pid_t> first = launched_ranks(launcher, 2);
  ASSERT_EQ(first.size(), 2u) << launcher.output();
  ::kill(first[0], SIGKILL);  // whenever: the restart then resumes a checkpoint or starts over
  const std::vector<pid_t> second = launched_ranks(launcher, 2, first);
  ASSERT_EQ(second.size(), 2u) << launcher.output();
  EXPECT_NE(launcher.output().find("restart 1 of 1 from "), std::string::npos) << launcher.output();
  const std::string victim = rank_of(second[1]);
  ::kill(second[1], SIGKILL);
  EXPECT_EQ(launcher.wait(seconds(60)), 128 + SIGKILL) << launcher.output();
  const std::string out = launcher.output();
  EXPECT_NE(out.find("rank " + victim + " died (killed by signal 9) after 1 restart (--max-restarts 1): giving up"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("restart 2 of"), std::string::npos) << out;
  for (pid_t p : second) EXPECT_NE(::kill(p, 0), 0) << "rank process " << p << " still runs";

  PldrProcess alone({"train", "--config", path("given_up.json"), "--overwrite", "--max-restarts", "1"}, {},
                    path("alone.log"));
  EXPECT_EQ(alone.wait(seconds(60)), 2);
  EXPECT_NE(alone.output().find("--max-restarts restarts the ranks that --nproc N starts"), std::string::npos)
      << alone.output();
}

// training.shard_optimizer (ZeRO stage 1) against the unsharded run on the same ranks, float64,
// with the reference's elementwise clip and with a global-norm clip. Every element's AdamW update
// is the same operation on both; what differs is the gradient sum (2 ranks: one addition either
// way; 3 ranks: another order of the same terms, segment by segment) and the gradient norm (summed
// per shard, then over the shards, instead of per tensor), which the norm clip then carries into
// the parameters. Measured over 4 steps: 2 ranks, parameters equal (elementwise clip) or within
// 6e-17 (norm clip), logged numbers within 2e-15 relative; 3 ranks, parameters within 4e-15 and
// numbers within 3.4e-13 (bounds here: 1e-12 and 1e-10).
TEST_F(DataParallel, ShardedOptimizerMatchesTheUnshardedRun) {
  for (const int ranks : {2, 3})
    for (const double clip_norm : {0.0, 0.05}) {
      const std::string name = std::to_string(ranks) + (clip_norm > 0 ? "_norm" : "_value");
      RunConfig c = config("plain_" + name, 2, 1, "float64");
      c.optimizer.clip_norm = clip_norm;
      const RunOutput plain = train(c, ranks);
      c.out_dir = path("sharded_" + name);
      c.training.shard_optimizer = true;
      const RunOutput sharded = train(c, ranks);
      if (ranks == 2 && clip_norm == 0) {  // the same bits but for the logged gradient norm
        EXPECT_EQ(sharded.parameters, plain.parameters);
        for (size_t s = 0; s < plain.metrics.size(); ++s)
          EXPECT_EQ(sharded.metrics[s]["loss"], plain.metrics[s]["loss"]) << "step " << s + 1;
      }
      expect_same_run(plain, sharded, 1e-10, 1e-12,
                      std::to_string(ranks) + " ranks sharded, clip_norm " + std::to_string(clip_norm));
    }
}

// The moments of a checkpoint's AdamW state, in the order of the model's parameters.
std::vector<std::vector<double>> moments(const std::string& checkpoint) {
  LoadedCheckpoint c = load_checkpoint(checkpoint);
  optim::AdamW adamw(c.model->parameters(), {});
  load_optimizer_state(checkpoint, *c.model, adamw);
  std::vector<std::vector<double>> all;
  for (size_t i = 0; i < adamw.first_moments().size(); ++i) {
    all.push_back(adamw.first_moments()[i].to_vector<double>());
    all.push_back(adamw.second_moments()[i].to_vector<double>());
  }
  return all;
}

// A sharded run's checkpoint holds the whole AdamW state: at 2 ranks the very moments of the
// unsharded run's. It resumes unsharded at 3 ranks, and the unsharded checkpoint resumes sharded
// at 3 ranks; the two runs then agree within rounding (3 ranks: the gradient sums' order). A
// world size that cannot share the checkpoint's data position is refused.
TEST_F(DataParallel, ShardedCheckpointsResumeUnshardedAndAtAnotherWorldSize) {
  RunConfig c = config("plain", 1, 1, "float64");
  c.training.steps = 8;
  train(c, 2, {"--stop-after", "3"});
  c.out_dir = path("sharded");
  c.training.shard_optimizer = true;
  train(c, 2, {"--stop-after", "3"});
  const std::string plain = path("plain/checkpoint.h5"), sharded = path("sharded/checkpoint.h5");
  EXPECT_EQ(read_run(path("sharded")).parameters, read_run(path("plain")).parameters);
  EXPECT_EQ(moments(sharded), moments(plain));
  EXPECT_TRUE(read_checkpoint_header(sharded).config.training.shard_optimizer);

  // 2 ranks read 3 batches each: 6, which 3 ranks share (2 each) and 4 do not.
  PldrProcess four({"train", "--resume", sharded, "--quiet", "--nproc", "4"}, {}, path("four.log"));
  EXPECT_EQ(four.wait(seconds(120)), 1);
  EXPECT_NE(four.output().find("have read 6 batches of epoch 0, which 4 ranks cannot share evenly"), std::string::npos)
      << four.output();
  PldrProcess unsharded({"train", "--resume", sharded, "--quiet", "--nproc", "3", "training.shard_optimizer=false"}, {},
                        path("unsharded.log"));
  ASSERT_EQ(unsharded.wait(seconds(120)), 0) << unsharded.output();
  PldrProcess resharded({"train", "--resume", plain, "--quiet", "--nproc", "3", "training.shard_optimizer=true"}, {},
                        path("resharded.log"));
  ASSERT_EQ(resharded.wait(seconds(120)), 0) << resharded.output();
  const LoadedCheckpoint a = load_checkpoint(sharded), b = load_checkpoint(plain);
  EXPECT_FALSE(a.config.training.shard_optimizer);
  EXPECT_TRUE(b.config.training.shard_optimizer);
  EXPECT_EQ(a.state.step, 8);
  EXPECT_EQ(a.state.world_size, 3);
  EXPECT_EQ(a.state.tokens_seen, b.state.tokens_seen);
  const RunOutput x = read_run(path("sharded")), y = read_run(path("plain"));
  double worst = 0;
  for (size_t i = 0; i < x.parameters.size(); ++i)
    for (size_t j = 0; j < x.parameters[i].size(); ++j)
      worst = std::max(worst, std::abs(x.parameters[i][j] - y.parameters[i][j]));
  EXPECT_LE(worst, 1e-13);
  std::cout << "resumed at 3 ranks, sharded against unsharded: parameters differ by at most " << worst << "\n";
}

// The start line says the AdamW moments rank 0 holds (half of them on 2 sharded ranks), and the
// summary each rank's peak memory.
TEST_F(DataParallel, ShardingHalvesTheMomentsOfEachRank) {
  std::map<bool, double> moment_mib;
  for (const bool shard : {false, true}) {
    RunConfig c = config(shard ? "sharded" : "plain", 1, 1, "float64");
    c.training.shard_optimizer = shard;
    const std::string file = c.out_dir + ".json";
    std::ofstream(file) << c.to_json().dump();
    PldrProcess p({"train", "--config", file, "--nproc", "2"}, {}, c.out_dir + ".log");
    ASSERT_EQ(p.wait(seconds(120)), 0) << p.output();
    const std::string out = p.output(), moments = "AdamW moments ", peak = "peak memory per rank (VmHWM): ";
    const size_t at = out.find(moments), peak_at = out.find(peak);
    ASSERT_NE(at, std::string::npos) << out;
    ASSERT_NE(peak_at, std::string::npos) << out;
    moment_mib[shard] = std::stod(out.substr(at + moments.size()));
    std::istringstream ranks(out.substr(peak_at + peak.size()));
    double rank0 = 0, rank1 = 0;
    char comma = 0;
    ranks >> rank0 >> comma >> rank1;
    EXPECT_GT(rank0, 0) << out;
    EXPECT_GT(rank1, 0) << out;
    std::cout << (shard ? "sharded" : "unsharded") << ": AdamW moments " << moment_mib[shard]
              << " MiB on rank 0; peak memory " << rank0 << ", " << rank1 << " MiB\n";
  }
  EXPECT_GT(moment_mib[false], 0);
  EXPECT_NEAR(moment_mib[true], moment_mib[false] / 2, 0.002);
}

}  // namespace
}  // namespace pldr
