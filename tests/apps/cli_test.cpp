// The `pldr` tool as a user meets it: exit codes and messages for bad input, and the whole
// pipeline (tokenizer, prepare, train, generate, inspect, plot) on a small slice of text.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "io/hdf5_file.h"

namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int code;
  std::string output;  // stdout and stderr together
};

CommandResult pldr(const std::string& args) {
  const std::string command = std::string(PLDR_EXE) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

bool mentions(const CommandResult& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

// A run directory with a trained tiny model, made once for the whole suite.
class Pipeline : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::path(::testing::TempDir()) / ("cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ifstream in(std::string(PLDR_SOURCE_DIR) + "/data/corpus/tinyshakespeare.txt");
    std::string text(60000, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    std::ofstream(dir_ / "text.txt") << text;
    const std::string d = dir_.string();
    steps_.push_back(pldr("tokenizer train " + d + "/text.txt --vocab-size 400 --output " + d + "/tok"));
    steps_.push_back(pldr("prepare " + d + "/text.txt --tokenizer " + d + "/tok.model --output " + d + "/data --val-fraction 0.1 --quiet"));
    std::ofstream(dir_ / "run.json") << R"({
      "model": {"vocab_size": 400, "hidden_size": 32, "num_attention_heads": 2, "head_dim": 16, "num_hidden_layers": 2,
                "intermediate_size": 64, "A_dff": 16, "num_reslayerA": 1, "num_denseA": 1, "max_position_embeddings": 64},
      "data": {"context": 32, "batch_size": 4},
      "training": {"steps": 4, "log_every": 2, "eval_every": 2, "eval_batches": 2},
      "schedule": {"warmup_steps": 1}
    })";
    steps_.push_back(pldr("train --config " + d + "/run.json data.train=" + d + "/data.train.tok data.val=" + d +
                          "/data.val.tok data.meta=" + d + "/data.meta.json tokenizer=" + d + "/tok.model out_dir=" + d + "/run"));
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static std::string path(const std::string& name) { return (dir_ / name).string(); }
  static std::string checkpoint() { return path("run/checkpoint.h5"); }

  // Copies the checkpoint, leaving out one parameter or writing it with another shape.
  static std::string damaged_copy(const std::string& name, const std::string& parameter, bool drop) {
    using pldr::io::H5File;
    const H5File src = H5File::open_read(checkpoint());
    const std::string out = path(name);
    H5File dst = H5File::create(out);
    for (const std::string& attr : src.attribute_names("/")) {
      if (attr == "format" || attr == "tokenizer_identity" || attr == "dtype")
        dst.write_attribute("/", attr, src.read_attribute_string("/", attr));
      else
        dst.write_attribute("/", attr, src.read_attribute_int("/", attr));
    }
    dst.write_string_dataset("run_config", src.read_string_dataset("run_config"));
    for (const std::string& p : src.list("params")) {
      std::vector<int64_t> shape;
      std::vector<float> values = src.read<float>("params/" + p, &shape);
      if (p == parameter) {
        if (drop) continue;
        shape = {static_cast<int64_t>(values.size())};  // flattened: a wrong shape
      }
      dst.write<float>("params/" + p, values, shape);
    }
    return out;
  }

  static fs::path dir_;
  static std::vector<CommandResult> steps_;
};
fs::path Pipeline::dir_;
std::vector<CommandResult> Pipeline::steps_;

TEST_F(Pipeline, TokenizePrepareTrainGenerateInspectPlot) {
  for (const CommandResult& r : steps_) ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(mentions(steps_[2], "bits per character")) << steps_[2].output;
  const CommandResult gen = pldr("generate --checkpoint " + checkpoint() + " --prompt \"First Citizen:\" --max-new-tokens 12 --seed 3");
  EXPECT_EQ(gen.code, 0) << gen.output;
  EXPECT_TRUE(mentions(gen, "tokens/s")) << gen.output;
  const CommandResult greedy = pldr("generate --checkpoint " + checkpoint() + " --prompt Hello --greedy --no-cache --max-new-tokens 4");
  EXPECT_EQ(greedy.code, 0) << greedy.output;
  const CommandResult inspect = pldr("inspect --checkpoint " + checkpoint() + " --prompt \"To be\" -o " + path("deductive.h5"));
  ASSERT_EQ(inspect.code, 0) << inspect.output;
  const pldr::io::H5File f = pldr::io::H5File::open_read(path("deductive.h5"));
  EXPECT_EQ(f.shape("layer1/G_LM")[1], 2);
  EXPECT_TRUE(f.exists("layer0/E"));
  const CommandResult plot = pldr("plot " + path("run/metrics.jsonl") + " -o " + path("curves.svg"));
  EXPECT_EQ(plot.code, 0) << plot.output;
  std::ifstream svg(path("curves.svg"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(svg), {}).rfind("<svg", 0), 0u);
  // Resume continues from the checkpoint's step.
  const CommandResult resumed = pldr("train --resume " + checkpoint() + " --quiet");
  EXPECT_EQ(resumed.code, 0) << resumed.output;
  EXPECT_TRUE(mentions(resumed, "trained 4 steps")) << resumed.output;
}

TEST_F(Pipeline, UsageErrorsExitWithTwo) {
  EXPECT_EQ(pldr("").code, 2);
  EXPECT_TRUE(mentions(pldr(""), "usage"));
  EXPECT_EQ(pldr("frobnicate").code, 2);
  const CommandResult flag = pldr("generate --checkpoint x --prompt y --tmperature 2");
  EXPECT_EQ(flag.code, 2);
  EXPECT_TRUE(mentions(flag, "--tmperature")) << flag.output;
  EXPECT_EQ(pldr("verify-golden " + std::string(PLDR_TEST_DATA_DIR) + "/golden/tiny.h5 --dtype int32").code, 2);
  EXPECT_EQ(pldr("inspect --checkpoint " + checkpoint() + " --prompt hi").code, 2);  // no -o
  EXPECT_EQ(pldr("generate --checkpoint " + checkpoint() + " --prompt hi --max-new-tokens abc").code, 2);
  EXPECT_EQ(pldr("generate --checkpoint " + checkpoint() + " --prompt hi --top-p 1.5").code, 1);
}

TEST_F(Pipeline, VerifyGoldenPassesAndRejectsOtherFiles) {
  const CommandResult ok = pldr("verify-golden " + std::string(PLDR_TEST_DATA_DIR) + "/golden/tiny.h5");
  EXPECT_EQ(ok.code, 0) << ok.output.substr(0, 2000);
  EXPECT_TRUE(mentions(ok, "\"passed\": true"));
  std::ofstream(path("notes.txt")) << "plain text";
  const CommandResult bad = pldr("verify-golden " + path("notes.txt"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(mentions(bad, "is not an HDF5 file")) << bad.output;
  const CommandResult other = pldr("verify-golden " + checkpoint());
  EXPECT_EQ(other.code, 1);
  EXPECT_TRUE(mentions(other, "is not a golden file")) << other.output;
}

TEST_F(Pipeline, BadConfigurationsNameTheProblem) {
  const CommandResult missing = pldr("train --config " + path("nope.json"));
  EXPECT_EQ(missing.code, 1);
  EXPECT_TRUE(mentions(missing, "nope.json")) << missing.output;
  std::ofstream(path("bad.json")) << R"({"optimizer": {"lr": -1}, "data": {"train": "x.tok"}})";
  const CommandResult bad = pldr("train --config " + path("bad.json"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(mentions(bad, "optimizer.lr")) << bad.output;
  std::ofstream(path("typo.json")) << R"({"trainng": {}, "data": {"train": "x.tok"}})";
  EXPECT_TRUE(mentions(pldr("train --config " + path("typo.json")), "trainng"));
  std::ofstream(path("broken.json")) << "{ not json";
  EXPECT_TRUE(mentions(pldr("train --config " + path("broken.json")), "not valid JSON"));
}

TEST_F(Pipeline, DamagedCheckpointsNameTheProblem) {
  const std::string prompt = " --prompt hi";
  auto generate = [&](const std::string& ckpt) { return pldr("generate --checkpoint " + ckpt + prompt); };
  const CommandResult missing = generate(path("absent.h5"));
  EXPECT_EQ(missing.code, 1);
  EXPECT_TRUE(mentions(missing, "does not exist")) << missing.output;
  std::ofstream(path("text.h5")) << "not a checkpoint";
  EXPECT_TRUE(mentions(generate(path("text.h5")), "is not an HDF5 file"));
  // Truncated: half of the file.
  std::ifstream in(checkpoint(), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(path("half.h5"), std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  const CommandResult half = generate(path("half.h5"));
  EXPECT_EQ(half.code, 1);
  EXPECT_TRUE(mentions(half, "half.h5")) << half.output;
  // An HDF5 file that is not a checkpoint.
  const CommandResult golden = generate(std::string(PLDR_TEST_DATA_DIR) + "/golden/tiny.h5");
  EXPECT_EQ(golden.code, 1);
  EXPECT_TRUE(mentions(golden, "not a pldr checkpoint")) << golden.output;
  const CommandResult lacking = generate(damaged_copy("lacking.h5", "final_layer.bias", true));
  EXPECT_EQ(lacking.code, 1);
  EXPECT_TRUE(mentions(lacking, "lacks tensor params/final_layer.bias")) << lacking.output;
  const CommandResult shape = generate(damaged_copy("shape.h5", "decoder.embedding.weight", false));
  EXPECT_EQ(shape.code, 1);
  EXPECT_TRUE(mentions(shape, "params/decoder.embedding.weight has shape [12800]")) << shape.output;
}

}  // namespace
