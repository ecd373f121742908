// `pldr eval` as a user runs it, on a small random checkpoint with the published 32k tokenizer:
// on a few items of every task, acc and acc_norm are recomputed by hand from the samples file
// and compared with the results file; batches score like batch 1; --text; bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>

#include "eval/encode.h"
#include "eval/tasks.h"
#include "tests/apps/tiny_checkpoint.h"
#include "tests/apps/tool_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using pldr::testing::run_tool;
using CommandResult = pldr::testing::ToolResult;

const std::string kAllTasks = "arc_easy,arc_challenge,hellaswag,piqa,social_iqa,openbookqa,winogrande,truthfulqa_mc2";

class EvalCommand : public ::testing::Test {
 protected:
  static fs::path dir() { return fs::path(::testing::TempDir()) / ("eval_cli_" + std::to_string(::getpid())); }
  static std::string file(const std::string& name) { return (dir() / name).string(); }

  static void SetUpTestSuite() {
    fs::create_directories(dir());
    pldr::testing::save_tiny_checkpoint(file("model.h5"), 384, 3);  // 384 positions: TruthfulQA's primer fits
  }
  static void TearDownTestSuite() { fs::remove_all(dir()); }

  static std::vector<json> read_jsonl(const std::string& path) {
    std::ifstream in(path);
    std::vector<json> rows;
    for (std::string line; std::getline(in, line);) rows.push_back(json::parse(line));
    return rows;
  }
  static json read_json(const std::string& path) {
    std::ifstream in(path);
    return json::parse(in);
  }
};

size_t first_max(const std::vector<double>& v) { return std::max_element(v.begin(), v.end()) - v.begin(); }

TEST_F(EvalCommand, AccAndAccNormRecomputedFromTheSamplesMatchTheResults) {
  const CommandResult r =
      run_tool("eval --checkpoint " + file("model.h5") + " --tasks " + kAllTasks +
               " --limit 4 --batch-size 3 --output " + file("results.json") + " --samples " + file("samples.jsonl"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("requests"), std::string::npos) << r.output;  // the progress line
  EXPECT_NE(r.output.find("acc_norm"), std::string::npos) << r.output;  // the table
  const json results = read_json(file("results.json"))["results"];
  const std::vector<json> samples = read_jsonl(file("samples.jsonl"));
  ASSERT_EQ(samples.size(), 8u * 4u);
  std::map<std::string, std::vector<double>> acc, acc_norm;
  std::map<std::string, pldr::eval::Task> tasks;
  for (const json& s : samples) {
    const std::string task = s["task"];
    const auto lls = s["loglikelihoods"].get<std::vector<double>>();
    const auto lengths = s["lengths"].get<std::vector<int64_t>>();
    ASSERT_EQ(lls.size(), lengths.size());
    // The lengths are the choices' characters, as read from the task's file here.
    if (!tasks.count(task)) tasks.emplace(task, pldr::eval::load_task(task, PLDR_EVAL_DATA_DIR));
    const pldr::eval::Document& doc = tasks.at(task).documents.at(s["doc_id"].get<size_t>());
    for (size_t c = 0; c < lengths.size(); ++c) EXPECT_EQ(lengths[c], pldr::eval::code_points(doc.choices[c])) << task;
    for (double ll : lls) EXPECT_LT(ll, 0.0);
    if (task == "truthfulqa_mc2") {
      const auto labels = s["label"].get<std::vector<int>>();
      const size_t split = std::find(labels.begin(), labels.end(), 0) - labels.begin();
      double all = 0, truthful = 0;
      for (size_t c = 0; c < lls.size(); ++c) {
        all += std::exp(lls[c]);
        if (c < split) truthful += std::exp(lls[c]);
      }
      EXPECT_NEAR(s["acc"].get<double>(), truthful / all, 1e-9);
      EXPECT_TRUE(s["acc_norm"].is_null());
      acc[task].push_back(truthful / all);
      continue;
    }
    std::vector<double> normalized;
    for (size_t c = 0; c < lls.size(); ++c) normalized.push_back(lls[c] / double(lengths[c]));
    const double a = first_max(lls) == s["label"].get<size_t>(), n = first_max(normalized) == s["label"].get<size_t>();
    EXPECT_EQ(s["acc"].get<double>(), a) << task;
    EXPECT_EQ(s["acc_norm"].get<double>(), n) << task;
    acc[task].push_back(a);
    acc_norm[task].push_back(n);
  }
  auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); };
  auto stderr_of = [&](const std::vector<double>& v) {
    double sq = 0;
    for (double x : v) sq += (x - mean(v)) * (x - mean(v));
    return std::sqrt(sq / double(v.size() - 1)) / std::sqrt(double(v.size()));
  };
  for (const auto& [task, values] : acc) {
    EXPECT_EQ(results[task]["items"], 4);
    const std::string metric = task == "truthfulqa_mc2" ? "mc2" : "acc";  // lm-eval's names
    EXPECT_NEAR(results[task][metric].get<double>(), mean(values), 1e-12) << task;
    EXPECT_NEAR(results[task][metric + "_stderr"].get<double>(), stderr_of(values), 1e-12) << task;
    if (task == "truthfulqa_mc2") {
      EXPECT_FALSE(results[task].contains("acc_norm"));
      continue;
    }
    EXPECT_NEAR(results[task]["acc_norm"].get<double>(), mean(acc_norm[task]), 1e-12) << task;
    EXPECT_NEAR(results[task]["acc_norm_stderr"].get<double>(), stderr_of(acc_norm[task]), 1e-12) << task;
  }
  // The model card's averages: acc_norm where a task has it, else acc (mc2 for TruthfulQA);
  // Average-1 over the seven tasks, Average-2 with TruthfulQA.
  const json report = read_json(file("results.json"));
  double seven = 0;
  for (const char* task : {"arc_challenge", "arc_easy", "hellaswag", "openbookqa", "piqa", "social_iqa", "winogrande"})
    seven += acc_norm.count(task) ? mean(acc_norm[task]) : mean(acc[task]);
  EXPECT_NEAR(report["averages"]["Average-1"].get<double>(), seven / 7, 1e-12);
  EXPECT_NEAR(report["averages"]["Average-2"].get<double>(), (seven + mean(acc["truthfulqa_mc2"])) / 8, 1e-12);
  EXPECT_EQ(report["limit"], 4);
  EXPECT_TRUE(report["config"].contains("hidden_size"));
  EXPECT_TRUE(report.contains("date") && report.contains("pldr_version"));
}

TEST_F(EvalCommand, BatchSizeOneAndEightGiveTheSameLogLikelihoods) {
  for (const std::string b : {"1", "8"})
    ASSERT_EQ(run_tool("eval --checkpoint " + file("model.h5") + " --tasks piqa,winogrande --limit 6 --batch-size " +
                       b + " --output " + file("r" + b + ".json") + " --samples " + file("s" + b + ".jsonl"))
                  .code,
              0);
  const std::vector<json> one = read_jsonl(file("s1.jsonl")), eight = read_jsonl(file("s8.jsonl"));
  ASSERT_EQ(one.size(), eight.size());
  for (size_t i = 0; i < one.size(); ++i) {
    const auto a = one[i]["loglikelihoods"].get<std::vector<double>>(),
               b = eight[i]["loglikelihoods"].get<std::vector<double>>();
    for (size_t c = 0; c < a.size(); ++c) EXPECT_NEAR(a[c], b[c], 1e-4 * std::abs(a[c]));  // float32 model
  }
}

TEST_F(EvalCommand, TextGivesPerplexityAndBitsPerByte) {
  const std::string text = "The cat sat on the mat. The dog sat on the log. A bird sang in the tree all day long.\n";
  std::ofstream(file("text.txt")) << text;
  const double bytes = double(text.size());
  const CommandResult r = run_tool("eval --checkpoint " + file("model.h5") + " --text " + file("text.txt") +
                                   " --window 8 --output " + file("text.json"));
  ASSERT_EQ(r.code, 0) << r.output;
  const json j = read_json(file("text.json"));
  EXPECT_EQ(j["bytes"].get<double>(), bytes);
  EXPECT_EQ(j["windows"], (j["tokens"].get<int64_t>() + 7) / 8);
  EXPECT_NEAR(j["bits_per_byte"].get<double>(), -j["loglikelihood"].get<double>() / (bytes * std::log(2.0)), 1e-12);
  EXPECT_NEAR(j["token_perplexity"].get<double>(),
              std::exp(-j["loglikelihood"].get<double>() / j["tokens"].get<double>()), 1e-9);
}

TEST_F(EvalCommand, BadInputFailsClearly) {
  const std::string model = " --checkpoint " + file("model.h5");
  CommandResult r = run_tool("eval" + model + " --tasks piqa --limit 1 --device gpu --output " + file("x.json"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("--device must be cpu or cuda"), std::string::npos) << r.output;
  // (--device cuda on a machine without a usable GPU: tests/apps/device_flag_test.cpp)
  r = run_tool("eval" + model + " --tasks piqa,mmlu --output " + file("x.json"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("unknown task 'mmlu'"), std::string::npos) << r.output;
  r = run_tool("eval" + model + " --tasks piqa");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("--output"), std::string::npos) << r.output;
  r = run_tool("eval" + model + " --output " + file("x.json"));
  EXPECT_EQ(r.code, 2);
  r = run_tool("eval" + model + " --tasks piqa --batch-size 0 --output " + file("x.json"));
  EXPECT_EQ(r.code, 2);
  r = run_tool("eval" + model + " --tasks piqa --data-dir /nonexistent --output " + file("x.json"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("/nonexistent/piqa/valid.jsonl"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(file("x.json")));
}

}  // namespace
