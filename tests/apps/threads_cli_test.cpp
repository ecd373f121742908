// --threads and PLDR_NUM_THREADS on the `pldr` tool, run as a subprocess, and its default wait
// policy: idle OpenMP threads sleep unless the user chose otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/apps/run_pldr.h"

namespace {

namespace fs = std::filesystem;

// Runs with none of the variables this test is about, whatever the caller's environment has.
const std::string kClean = "-u PLDR_NUM_THREADS -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u PLDR_WAIT_POLICY_SET";

struct Threads : ::testing::Test {
  void SetUp() override {
    folder = fs::path(::testing::TempDir()) / ("threads_cli_" + std::to_string(::getpid()));
    fs::remove_all(folder);
    fs::create_directories(folder);
    const std::string hf = std::string(PLDR_TEST_DATA_DIR) + "/hf/";
    std::ifstream in(hf + "tiny_expected.json");
    std::ofstream(folder / "config.json") << nlohmann::json::parse(in)["config"].dump(2);
    fs::copy_file(hf + "tiny_model.safetensors", folder / "model.safetensors");
  }
  void TearDown() override { fs::remove_all(folder); }
  CommandResult generate(const std::string& extra, const std::string& env = "") const {
    return pldr::testing::run_tool(
        "generate --hf " + quote(folder.string()) + " --ids 2,15,7 --greedy --max-new-tokens 6 --ignore-end " + extra,
        kClean + " " + env);
  }
  fs::path folder;
};

// The generated ids alone (the line with tokens/s differs from run to run).
std::string first_line(const std::string& output) { return output.substr(0, output.find('\n')); }

TEST_F(Threads, TheFlagAndTheVariableRunTheCommandWithTheSameResult) {
  const CommandResult plain = generate("");
  ASSERT_EQ(plain.code, 0) << plain.output;
  for (const auto& [extra, env] :
       std::vector<std::pair<std::string, std::string>>{{"--threads 1", ""},
                                                        {"--threads=2", ""},
                                                        {"", "PLDR_NUM_THREADS=1"},
                                                        {"--threads 1", "PLDR_NUM_THREADS=3"}}) {
    const CommandResult r = generate(extra, env);
    EXPECT_EQ(r.code, 0) << extra << " " << env << ":\n" << r.output;
    EXPECT_EQ(first_line(r.output), first_line(plain.output)) << extra << " " << env;
  }
}

TEST_F(Threads, BadCountsExitTwoNamingTheFlagOrTheVariable) {
  for (const std::string bad : {"0", "-2", "two", "1.5", "100000"})
    EXPECT_RESULT(generate("--threads " + bad), 2, "--threads must be an integer from 1 to 4096, got '" + bad + "'");
  EXPECT_RESULT(generate("--threads"), 2, "--threads needs a value");
  EXPECT_RESULT(generate("", "PLDR_NUM_THREADS=0"), 2, "PLDR_NUM_THREADS must be an integer from 1 to 4096, got '0'");
  // The flag wins: the variable is not read.
  EXPECT_EQ(generate("--threads 2", "PLDR_NUM_THREADS=lots").code, 0);
}

// libgomp prints what it read at start-up with OMP_DISPLAY_ENV=verbose: its blocks, and the spin
// count of the last one (the run that went on to do the work).
struct OpenMpDisplay {
  int blocks = 0;
  std::string spin_count;
};

OpenMpDisplay display(const std::string& env) {
  const CommandResult r = pldr::testing::run_tool("--help", kClean + " OMP_DISPLAY_ENV=verbose " + env);
  EXPECT_EQ(r.code, 0) << r.output;
  OpenMpDisplay d;
  for (size_t at = r.output.find("OPENMP DISPLAY ENVIRONMENT BEGIN"); at != std::string::npos;
       at = r.output.find("OPENMP DISPLAY ENVIRONMENT BEGIN", at + 1))
    ++d.blocks;
  const std::string key = "GOMP_SPINCOUNT = '";
  const size_t at = r.output.rfind(key);
  if (at != std::string::npos) {
    const size_t from = at + key.size();
    d.spin_count = r.output.substr(from, r.output.find('\'', from) - from);
  }
  return d;
}

TEST(WaitPolicy, IdleThreadsSleepUnlessTheUserChose) {
  const OpenMpDisplay by_default = display("");
  if (by_default.spin_count.empty()) GTEST_SKIP() << "not libgomp (no GOMP_SPINCOUNT in OMP_DISPLAY_ENV's report)";
  // libgomp starts with its default (spinning 300,000 rounds), the program runs itself again
  // with GOMP_SPINCOUNT=3000, and that run spins briefly before it sleeps.
  EXPECT_EQ(by_default.blocks, 2);
  EXPECT_EQ(by_default.spin_count, "3000");
  // A policy or spin count the user set is kept, and the program runs once.
  const OpenMpDisplay active = display("OMP_WAIT_POLICY=active");
  EXPECT_EQ(active.blocks, 1);
  EXPECT_EQ(active.spin_count, "30000000000");
  const OpenMpDisplay counted = display("GOMP_SPINCOUNT=12345");
  EXPECT_EQ(counted.blocks, 1);
  EXPECT_EQ(counted.spin_count, "12345");
}

}  // namespace
