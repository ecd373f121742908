// `pldr generate --prompts FILE`: prompts of different lengths generated in left-padded batches
// give, greedily, what each gives alone (batch size 1); plain lines and JSON lines; bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/apps/tiny_checkpoint.h"
#include "tests/apps/tool_process.h"

namespace {

namespace fs = std::filesystem;
using pldr::testing::run_tool;

class GeneratePrompts : public ::testing::Test {
 protected:
  static fs::path dir() { return fs::path(::testing::TempDir()) / ("generate_prompts_" + std::to_string(::getpid())); }
  static std::string file(const std::string& name) { return (dir() / name).string(); }
  static void SetUpTestSuite() {
    fs::create_directories(dir());
    pldr::testing::save_tiny_checkpoint(file("model.h5"), 64, 5);
    std::ofstream(file("prompts.txt"))
        << "The cat\nOnce upon a time there was a little girl who\nHello\n\nA quick brown fox jumps\n";
    std::ofstream(file("prompts.jsonl")) << R"({"prompt": "The cat"})"
                                         << "\n"
                                         << R"({"prompt": "Once upon a time there was a little girl who", "id": 7})"
                                         << "\n"
                                         << R"({"prompt": "Hello"})"
                                         << "\n"
                                         << R"({"prompt": "A quick brown fox jumps"})"
                                         << "\n";
  }
  static void TearDownTestSuite() { fs::remove_all(dir()); }

  // The completions printed, one JSON line per prompt.
  static std::vector<std::string> completions(const pldr::testing::ToolResult& r) {
    std::vector<std::string> out;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty() && line.front() == '{')
        out.push_back(nlohmann::json::parse(line)["completion"].get<std::string>());
    return out;
  }
  static pldr::testing::ToolResult generate(const std::string& more) {
    return run_tool("generate --checkpoint " + file("model.h5") + " --greedy --ignore-end --max-new-tokens 6 " + more);
  }
};

TEST_F(GeneratePrompts, GreedyBatchesGiveWhatEachPromptGivesAlone) {
  const auto alone = generate("--prompts " + file("prompts.txt") + " --batch-size 1");
  ASSERT_EQ(alone.code, 0) << alone.output;
  EXPECT_TRUE(alone.mentions("tokens/s")) << alone.output;
  const std::vector<std::string> expected = completions(alone);
  ASSERT_EQ(expected.size(), 4u);  // the empty line is skipped
  for (const std::string more : {"--batch-size 4", "--batch-size 3"}) {
    const auto batched = generate("--prompts " + file("prompts.txt") + " " + more);
    ASSERT_EQ(batched.code, 0) << batched.output;
    EXPECT_EQ(completions(batched), expected) << more;
  }
  // Without the cache (G recomputed every step, so other tokens than with it), the same holds.
  const auto uncached = generate("--prompts " + file("prompts.txt") + " --batch-size 1 --no-cache");
  ASSERT_EQ(uncached.code, 0) << uncached.output;
  EXPECT_NE(completions(uncached), expected);
  EXPECT_EQ(completions(generate("--prompts " + file("prompts.txt") + " --batch-size 4 --no-cache")),
            completions(uncached));
  const auto jsonl = generate("--prompts " + file("prompts.jsonl") + " --batch-size 4");
  ASSERT_EQ(jsonl.code, 0) << jsonl.output;
  EXPECT_EQ(completions(jsonl), expected);
  // Pads entering A (Hugging Face's way) and cache_first_G run too.
  EXPECT_EQ(generate("--prompts " + file("prompts.txt") + " --batch-size 4 --pads hf --cache-first-G").code, 0);
}

TEST_F(GeneratePrompts, BadInputFailsClearly) {
  auto r = generate("--prompt Hi --prompts " + file("prompts.txt"));
  EXPECT_EQ(r.code, 2) << r.output;
  r = generate("--prompts " + file("missing.txt"));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.mentions("missing.txt")) << r.output;
  std::ofstream(file("bad.jsonl")) << R"({"prompt": "ok"})"
                                   << "\n"
                                   << R"({"text": "no prompt"})"
                                   << "\n";
  r = generate("--prompts " + file("bad.jsonl"));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.mentions("line 2")) << r.output;
  r = generate("--prompts " + file("prompts.txt") + " --pads sometimes");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.mentions("--pads")) << r.output;
  r = generate("--prompts " + file("prompts.txt") + " --batch-size 0");
  EXPECT_EQ(r.code, 2);
}

}  // namespace
