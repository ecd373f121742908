// --device and training.device on a machine where CUDA cannot be used: every command that runs a
// model fails before any work with exit 1 and the reason, and a bad device name is a usage error.
// (With a usable GPU these are skipped: scripts/gpu-check.sh runs the commands on it.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "data/token_file.h"
#include "tensor/backend.h"
#include "tests/apps/tiny_checkpoint.h"
#include "tests/apps/tool_process.h"

namespace pldr {
namespace {

namespace fs = std::filesystem;
using testing::run_tool;
using testing::ToolResult;

fs::path scratch() {
  static const fs::path dir = [] {
    const fs::path d = fs::path(::testing::TempDir()) / ("apps_device_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  return dir;
}
struct RemoveScratch : ::testing::Environment {
  void TearDown() override { fs::remove_all(scratch()); }
};
[[maybe_unused]] const auto* const kRemoveScratch = ::testing::AddGlobalTestEnvironment(new RemoveScratch);

std::string checkpoint() {
  static const std::string path = [] {
    const std::string p = (scratch() / "tiny.h5").string();
    testing::save_tiny_checkpoint(p, 64, 5);
    return p;
  }();
  return path;
}

// A valid training configuration over a small token file, writing into out_dir `out`.
std::string train_config(const std::string& out) {
  const std::string tokens = (scratch() / "train.tok").string();
  std::vector<int32_t> ids;
  for (int i = 0; i < 400; ++i) ids.push_back(4 + i % 30);
  data::write_token_file(tokens, ids, 40);
  const std::string path = (scratch() / "run.json").string();
  std::ofstream(path) << R"({"data": {"train": ")" << tokens << R"(", "context": 8, "batch_size": 2},
    "training": {"steps": 2, "log_every": 1, "eval_every": 0}, "out_dir": ")"
                      << (scratch() / out).string() << R"(",
    "model": {"vocab_size": 40, "hidden_size": 16, "num_attention_heads": 2, "head_dim": 8, "num_hidden_layers": 1,
              "intermediate_size": 24, "A_dff": 12, "num_reslayerA": 1, "num_denseA": 1, "max_position_embeddings": 32}})";
  return path;
}

std::string cuda_unavailable_reason() {
  try {
    backend(Device::CUDA);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

void expect_fails_with_reason(const std::string& args, const std::string& reason) {
  const ToolResult r = run_tool(args);
  EXPECT_EQ(r.code, 1) << args << "\n" << r.output;
  EXPECT_TRUE(r.mentions(reason)) << args << "\nwanted '" << reason << "' in:\n" << r.output;
}

TEST(DeviceFlag, CudaWithoutAGpuFailsWithTheReason) {
  const std::string reason = cuda_unavailable_reason();
  if (reason.empty()) GTEST_SKIP() << "a CUDA device is usable here (scripts/gpu-check.sh runs these commands on it)";
  const std::string golden = std::string(PLDR_TEST_DATA_DIR) + "/golden/tiny.h5";
  const std::string ckpt = checkpoint();
  expect_fails_with_reason("verify-golden " + golden + " --device cuda", "--device cuda: " + reason);
  expect_fails_with_reason("verify-golden " + golden + " --device cuda --dtype float32", "--device cuda: " + reason);
  expect_fails_with_reason("generate --checkpoint " + ckpt + " --prompt hi --device cuda", "--device cuda: " + reason);
  const std::string out = (scratch() / "inspect.h5").string();
  expect_fails_with_reason("inspect --checkpoint " + ckpt + " --prompt hi -o " + out + " --device cuda",
                           "--device cuda: " + reason);
  EXPECT_FALSE(fs::exists(out));
  expect_fails_with_reason("eval --checkpoint " + ckpt + " --text " + golden + " --device cuda",
                           "--device cuda: " + reason);
  expect_fails_with_reason("train --config " + train_config("run_cuda") + " training.device=cuda", reason);
  EXPECT_FALSE(fs::exists(scratch() / "run_cuda")) << "the run wrote files before finding that it cannot run";
}

TEST(DeviceFlag, UnknownDevicesAreRejected) {
  const ToolResult g = run_tool("generate --checkpoint " + checkpoint() + " --prompt hi --device gpu");
  EXPECT_EQ(g.code, 2) << g.output;
  EXPECT_TRUE(g.mentions("--device must be cpu or cuda, got 'gpu'")) << g.output;
  const ToolResult t = run_tool("train --config " + train_config("run_gpu") + " training.device=gpu");
  EXPECT_EQ(t.code, 1) << t.output;
  EXPECT_TRUE(t.mentions("training.device must be cpu or cuda")) << t.output;
}

TEST(DeviceFlag, CpuRunsAsBefore) {
  const ToolResult g =
      run_tool("generate --checkpoint " + checkpoint() + " --prompt hi --max-new-tokens 3 --greedy --device cpu");
  EXPECT_EQ(g.code, 0) << g.output;
  const ToolResult t = run_tool("train --config " + train_config("run_cpu") + " training.device=cpu");
  EXPECT_EQ(t.code, 0) << t.output;
  EXPECT_TRUE(fs::exists(scratch() / "run_cpu" / "checkpoint.h5")) << t.output;
}

// With a usable GPU: every command runs there, training included, and greedy generation gives the
// same text on both devices (tests/train/model_cuda_test.cpp loads a GPU checkpoint on the CPU).
TEST(DeviceFlag, CommandsRunOnTheGpu) {
  const std::string reason = cuda_unavailable_reason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  const ToolResult t = run_tool("train --config " + train_config("run_gpu_ok") + " training.device=cuda");
  ASSERT_EQ(t.code, 0) << t.output;
  EXPECT_TRUE(fs::exists(scratch() / "run_gpu_ok" / "checkpoint.h5")) << t.output;
  const std::string ckpt = checkpoint();
  const std::string gen = "generate --checkpoint " + ckpt + " --prompt hello --max-new-tokens 8 --greedy --ignore-end";
  const ToolResult on_gpu = run_tool(gen + " --device cuda"), on_cpu = run_tool(gen + " --device cpu");
  EXPECT_EQ(on_gpu.code, 0) << on_gpu.output;
  auto text = [](const std::string& output) {
    return output.substr(0, output.rfind("8 tokens in "));
  };  // not the timing
  EXPECT_EQ(text(on_gpu.output), text(on_cpu.output));
  const std::string out = (scratch() / "inspect_gpu.h5").string();
  const ToolResult i = run_tool("inspect --checkpoint " + ckpt + " --prompt hi -o " + out + " --device cuda");
  EXPECT_EQ(i.code, 0) << i.output;
  EXPECT_TRUE(fs::exists(out));
  const ToolResult e = run_tool("eval --checkpoint " + ckpt + " --text " + train_config("unused") + " --device cuda");
  EXPECT_EQ(e.code, 0) << e.output;
}

}  // namespace
}  // namespace pldr
