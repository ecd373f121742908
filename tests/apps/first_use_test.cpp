// The `pldr` tool as a new user meets it (issue 18): each test replays what a user did and asserts
// what they should have seen. One small run (a 400-piece tokenizer, token files, 4 training steps)
// is made once, from a configuration whose paths are relative to its own folder, run from another.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/apps/run_pldr.h"
#include "train/checkpoint.h"

namespace {

namespace fs = std::filesystem;
using pldr::testing::run_shell;
using pldr::testing::run_tool;
using pldr::testing::run_tool_in;
using pldr::testing::shell_quote;
using pldr::testing::ToolResult;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

size_t lines_of(const fs::path& path) {
  const std::string text = read_file(path);
  return size_t(std::count(text.begin(), text.end(), '\n'));
}

class FirstUse : public ::testing::Test {
 protected:
  static fs::path root() {
    static const fs::path dir = fs::path(::testing::TempDir()) / ("first_use_" + std::to_string(::getpid()));
    return dir;
  }
  static fs::path cfg() { return root() / "cfg"; }      // the run's folder: config, data, run
  static fs::path other() { return root() / "other"; }  // where the user stands
  static std::string q(const fs::path& p) { return shell_quote(p.string()); }
  static std::string checkpoint() { return (cfg() / "run" / "checkpoint.h5").string(); }

  static void SetUpTestSuite() {
    fs::remove_all(root());
    fs::create_directories(cfg());
    fs::create_directories(other());
    std::ifstream in(std::string(PLDR_SOURCE_DIR) + "/data/corpus/tinyshakespeare.txt");
    std::string text(60000, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    std::ofstream(cfg() / "text.txt") << text;
    ASSERT_EQ(run_tool_in(cfg().string(), "tokenizer train text.txt --vocab-size 400 --output tokenizer").code, 0);
    ASSERT_EQ(run_tool_in(cfg().string(),
                          "prepare text.txt --tokenizer tokenizer.model --output data "
                          "--val-fraction 0.1 --quiet")
                  .code,
              0);
    write_config(4);
    // Point 1: the configuration's relative paths, from another folder.
    const ToolResult train = run_tool_in(other().string(), "train --quiet --config " + q(cfg() / "run.json"));
    ASSERT_EQ(train.code, 0) << train.output;
  }
  static void TearDownTestSuite() { fs::remove_all(root()); }

  static void write_config(int steps) {
    std::ofstream(cfg() / "run.json") << R"({
      "model": {"vocab_size": 400, "hidden_size": 32, "num_attention_heads": 2, "head_dim": 16,
                "num_hidden_layers": 2, "intermediate_size": 64, "A_dff": 16, "num_reslayerA": 1, "num_denseA": 1,
                "max_position_embeddings": 64},
      "data": {"train": "data.train.tok", "val": "data.val.tok", "meta": "data.meta.json", "context": 32,
               "batch_size": 4},
      "training": {"steps": )" + std::to_string(steps) +
                                             R"(, "log_every": 1, "eval_every": 2, "eval_batches": 1},
      "schedule": {"warmup_steps": 1},
      "tokenizer": "tokenizer.model",
      "out_dir": "run"
    })";
  }

  // A copy of the run's checkpoint (and, with_tokenizer, its tokenizer) in a folder of its own.
  static fs::path moved_run(const std::string& name, bool with_tokenizer) {
    const fs::path dir = root() / name;
    fs::create_directories(dir);
    fs::copy_file(checkpoint(), dir / "checkpoint.h5", fs::copy_options::overwrite_existing);
    if (with_tokenizer)
      fs::copy_file(cfg() / "tokenizer.model", dir / "tokenizer.model", fs::copy_options::overwrite_existing);
    return dir;
  }

  static ToolResult generate(const std::string& more, const std::string& input = "") {
    return run_tool_in(other().string(), "generate --checkpoint " + shell_quote(checkpoint()) + " " + more, input);
  }
};

// 1. Relative paths: the run trained from another folder (SetUpTestSuite) left its files beside the
// configuration; its checkpoint works from anywhere and finds its tokenizer beside itself.
TEST_F(FirstUse, PathsResolveAgainstTheConfigurationAndTheCheckpoint) {
  EXPECT_TRUE(fs::exists(cfg() / "run" / "metrics.jsonl"));
  EXPECT_FALSE(fs::exists(other() / "run"));
  // From the configuration's own folder, by its bare name; the override's path is the current folder's.
  EXPECT_RESULT(run_tool_in(cfg().string(), "train --quiet --config run.json out_dir=here training.steps=1"), 0,
                "trained 1 step");
  EXPECT_TRUE(fs::exists(cfg() / "here" / "checkpoint.h5"));
  EXPECT_RESULT(generate("--prompt ROMEO: --max-new-tokens 3 --seed 1"), 0, "3 tokens in");
  // Moved with its tokenizer: found beside the checkpoint. Moved without, while the stored path is
  // gone too: an error naming --tokenizer.
  const fs::path moved = moved_run("moved", true);
  EXPECT_RESULT(run_tool_in(other().string(), "generate --checkpoint " + q(moved / "checkpoint.h5") +
                                                  " --prompt ROMEO: --max-new-tokens 2 --seed 1"),
                0, "2 tokens in");
  const fs::path bare = moved_run("bare", false);
  fs::rename(cfg() / "tokenizer.model", cfg() / "tokenizer.model.away");
  const ToolResult lost = run_tool_in(
      other().string(), "generate --checkpoint " + q(bare / "checkpoint.h5") + " --prompt ROMEO: --max-new-tokens 2");
  const ToolResult no_export =
      run_tool_in(other().string(), "export " + q(bare / "checkpoint.h5") + " -o " + q(root() / "exported_bare"));
  fs::rename(cfg() / "tokenizer.model.away", cfg() / "tokenizer.model");
  EXPECT_RESULT(lost, 1, "--tokenizer");
  EXPECT_RESULT(no_export, 1, "--tokenizer");
  EXPECT_FALSE(fs::exists(root() / "exported_bare" / "config.json"));
  // The export from another folder includes the tokenizer.
  EXPECT_RESULT(run_tool_in(other().string(), "export " + shell_quote(checkpoint()) + " -o exported"), 0,
                "tokenizer.model");
  EXPECT_TRUE(fs::exists(other() / "exported" / "tokenizer.model"));
}

// 2. Help for each command, from the declarations; the README's command list agrees with them.
TEST_F(FirstUse, EveryCommandHasHelpAndTheReadmeMatchesIt) {
  const ToolResult help = run_tool("generate --help");
  EXPECT_RESULT(help, 0, "usage: pldr generate");
  for (const char* flag : {"--tokenizer", "--ignore-end", "--dtype", "--seed", "--threads", "(default: 100)"})
    EXPECT_TRUE(help.mentions(flag)) << flag << " in\n" << help.output;
  EXPECT_EQ(run_tool("help generate").output, help.output);
  EXPECT_RESULT(run_tool("--version"), 0, "pldr ");
  EXPECT_RESULT(run_tool("help frobnicate"), 2, "unknown command 'frobnicate'");
  for (const char* command : {"train", "tokenizer", "prepare", "eval", "plot", "export", "inspect"})
    EXPECT_RESULT(run_tool(std::string(command) + " --help"), 0, "--threads N");
  EXPECT_RESULT(run_tool("train --help"), 0, "--quiet");
  EXPECT_RESULT(run_tool("tokenizer --help"), 0, "--model-type");
  EXPECT_RESULT(run_tool("prepare --help"), 0, "--format");

  // Every flag the README's `pldr` block gives a command is in that command's --help, and every
  // command of `pldr --help` is in the block.
  const std::string readme = read_file(std::string(PLDR_SOURCE_DIR) + "/README.md");
  const size_t section = readme.find("## The `pldr` tool");
  ASSERT_NE(section, std::string::npos);
  const size_t begin = readme.find("```sh\n", section), end = readme.find("```\n", begin + 6);
  const std::string block = readme.substr(begin, end - begin);
  std::istringstream lines(block);
  std::string command;
  std::set<std::string> documented;
  size_t flags_checked = 0;
  const std::regex flag_pattern("--[a-zA-Z][a-zA-Z0-9_-]*"), command_pattern("\n  ([a-z-]+) ");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, std::regex("^pldr ([a-z-]+)"))) command = m[1], documented.insert(command);
    if (command.empty()) continue;
    const std::string code = line.substr(0, line.find('#'));  // comments may name other commands' flags
    const std::string help_text = run_tool(command + " --help").output;
    for (std::sregex_iterator it(code.begin(), code.end(), flag_pattern), stop; it != stop; ++it, ++flags_checked)
      EXPECT_NE(help_text.find(it->str()), std::string::npos) << it->str() << " of pldr " << command;
  }
  EXPECT_GT(flags_checked, 40u);
  const std::string usage = run_tool("--help").output;
  for (std::sregex_iterator it(usage.begin(), usage.end(), command_pattern), stop; it != stop; ++it)
    EXPECT_TRUE(documented.count((*it)[1])) << (*it)[1] << " is not in the README's block";
  EXPECT_NE(readme.find("--help"), std::string::npos);
  EXPECT_NE(readme.find("Exit status"), std::string::npos);
}

// 3. Stray arguments are errors naming them.
TEST_F(FirstUse, StrayArgumentsAreUsageErrors) {
  EXPECT_RESULT(generate("--prompt ROMEO: -n 5"), 2, "unknown flag -n");
  EXPECT_RESULT(generate("--prompt ROMEO: and JULIET"), 2, "unexpected argument 'and'");
  EXPECT_RESULT(run_tool("plot a.jsonl b.jsonl c.jsonl -o x.svg --nothing"), 2, "unknown flag --nothing");
  EXPECT_RESULT(run_tool("export a.h5 b.h5 -o x"), 2, "unexpected argument 'b.h5'");
}

// 4. Training refuses to replace a run, unless told to.
TEST_F(FirstUse, TrainingRefusesAnOutputFolderThatHoldsARun) {
  const size_t metrics = lines_of(cfg() / "run" / "metrics.jsonl");
  const std::string checkpoint_bytes = read_file(checkpoint());
  const ToolResult again = run_tool_in(other().string(), "train --quiet --config " + q(cfg() / "run.json"));
  EXPECT_RESULT(again, 1, "--overwrite");
  EXPECT_TRUE(again.mentions("--resume"));
  EXPECT_EQ(lines_of(cfg() / "run" / "metrics.jsonl"), metrics);
  EXPECT_EQ(read_file(checkpoint()), checkpoint_bytes);
  // --key=value overrides as well as key=value; --overwrite into a copy of the run's folder.
  fs::copy(cfg() / "run", cfg() / "run_copy", fs::copy_options::recursive);
  EXPECT_RESULT(run_tool_in(other().string(), "train --quiet --config " + q(cfg() / "run.json") +
                                                  " --out_dir=" + q(cfg() / "run_copy") + " --training.steps 2"),
                1, "--overwrite");
  EXPECT_RESULT(run_tool_in(other().string(), "train --quiet --overwrite --config " + q(cfg() / "run.json") +
                                                  " --out_dir=" + q(cfg() / "run_copy") + " --training.steps 2"),
                0, "trained 2 steps");
  // torchrun's name for the local ranks.
  EXPECT_RESULT(
      run_tool_in(other().string(), "train --quiet --overwrite --config " + q(cfg() / "run.json") +
                                        " --out_dir=" + q(cfg() / "run_copy") + " training.steps=2 --nproc_per_node 2"),
      0, "trained 2 steps");
  EXPECT_EQ(pldr::load_checkpoint((cfg() / "run_copy" / "checkpoint.h5").string()).state.world_size, 2);
}

// 5. A command that cannot write its output says so before it computes.
TEST_F(FirstUse, UnwritableOutputsFailBeforeTheWork) {
  const std::string missing = (root() / "no_such_folder" / "r.json").string();
  const ToolResult r = run_tool_in(other().string(), "eval --checkpoint " + shell_quote(checkpoint()) +
                                                         " --tasks arc_easy --output " + shell_quote(missing));
  EXPECT_RESULT(r, 1, "does not exist");
  EXPECT_FALSE(r.mentions("requests")) << r.output;
  EXPECT_RESULT(run_tool_in(other().string(), "inspect --checkpoint " + shell_quote(checkpoint()) + " --prompt hi -o " +
                                                  shell_quote(missing)),
                1, "--output " + missing);
  EXPECT_RESULT(run_tool("plot " + q(cfg() / "run" / "metrics.jsonl") + " -o " + q(root())), 1, "is a folder");
}

// 6. Resume extends a run and says what it does; a signal stops training with a checkpoint.
TEST_F(FirstUse, ResumeExtendsAndSignalsSaveACheckpoint) {
  const fs::path run = root() / "resumed";
  fs::copy(cfg() / "run", run, fs::copy_options::recursive);
  const std::string ckpt = shell_quote((run / "checkpoint.h5").string());
  // The checkpoint records out_dir; the copy is resumed where its checkpoint is.
  EXPECT_RESULT(run_tool("train --quiet --resume " + ckpt), 1,
                "nothing to train; extend the run with training.steps=N");
  EXPECT_RESULT(run_tool("train --quiet --resume " + ckpt + " --stop-after 2"), 1, "is at step 4");
  EXPECT_RESULT(run_tool("train --quiet --resume " + ckpt + " training.steps=3"), 1, "give more than 4");

  // SIGTERM once the run has logged a step: it stops after a step, with that step's checkpoint.
  const fs::path long_run = root() / "long";
  const std::string train = shell_quote(PLDR_EXE) + " train --quiet --config " + q(cfg() / "run.json") +
                            " out_dir=" + q(long_run) + " training.steps=100000 training.eval_every=0";
  const std::string metrics = q(long_run / "metrics.jsonl");
  const ToolResult stopped =
      run_shell("(" + train + " 2>&1 & pid=$!; while [ ! -s " + metrics + " ]; do sleep 0.1; done; kill -TERM $pid; " +
                "wait $pid; echo \"exit $?\") </dev/null");
  EXPECT_TRUE(stopped.mentions("exit 143")) << stopped.output;
  EXPECT_TRUE(stopped.mentions("stopped by SIGTERM after step")) << stopped.output;
  const pldr::LoadedCheckpoint saved = pldr::load_checkpoint((long_run / "checkpoint.h5").string());
  EXPECT_GT(saved.state.step, 0);
  EXPECT_LT(saved.state.step, 100000);
  EXPECT_TRUE(stopped.mentions("(step " + std::to_string(saved.state.step) + ")")) << stopped.output;

  // The same with --nproc 2: the launcher passes SIGTERM to its ranks and waits for their checkpoint.
  const fs::path ranks_run = root() / "long_ranks";
  const std::string ranks_metrics = q(ranks_run / "metrics.jsonl");
  const ToolResult ranks_stopped = run_shell(
      "(" + shell_quote(PLDR_EXE) + " train --quiet --nproc 2 --config " + q(cfg() / "run.json") +
      " out_dir=" + q(ranks_run) + " training.steps=100000 training.eval_every=0 2>&1 & pid=$!; while [ ! -s " +
      ranks_metrics + " ]; do sleep 0.1; done; kill -TERM $pid; wait $pid; echo \"exit $?\") </dev/null");
  EXPECT_TRUE(ranks_stopped.mentions("exit 143")) << ranks_stopped.output;
  EXPECT_TRUE(ranks_stopped.mentions("stopped by SIGTERM after step")) << ranks_stopped.output;
  const pldr::LoadedCheckpoint ranks_saved = pldr::load_checkpoint((ranks_run / "checkpoint.h5").string());
  EXPECT_EQ(ranks_saved.state.world_size, 2);
  EXPECT_GT(ranks_saved.state.step, 0);
}

// 7. Generation as Hugging Face and llama.cpp users expect it.
TEST_F(FirstUse, GenerationFollowsFamiliarConventions) {
  const ToolResult greedy = generate("--prompt ROMEO: --max-new-tokens 6 --greedy --ignore-end");
  const ToolResult zero = generate("--prompt ROMEO: --max-new-tokens 6 --temperature 0 --ignore-end");
  ASSERT_EQ(greedy.code, 0) << greedy.output;
  EXPECT_EQ(zero.output.substr(0, zero.output.find('\n')), greedy.output.substr(0, greedy.output.find('\n')));
  EXPECT_TRUE(greedy.mentions("stopped at --max-new-tokens 6")) << greedy.output;
  // A fresh seed, printed; giving it back repeats the text.
  const ToolResult a = generate("--prompt ROMEO: --max-new-tokens 8 --ignore-end");
  std::smatch seed;
  ASSERT_TRUE(std::regex_search(a.output, seed, std::regex("seed ([0-9]+) \\(--seed"))) << a.output;
  const ToolResult b = generate("--prompt ROMEO: --max-new-tokens 8 --ignore-end --seed " + seed[1].str());
  const auto text = [](const ToolResult& r) {
    std::string out;
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("seed ", 0) != 0 && line.find("tokens in") == std::string::npos) out += line + "\n";
    return out;
  };
  EXPECT_EQ(text(a), text(b));
  // Prompts from stdin: --prompts -, or lines when no prompt is given.
  const ToolResult batch = generate("--prompts - --max-new-tokens 2 --seed 1", "ROMEO:\nJULIET:\n");
  EXPECT_RESULT(batch, 0, "\"prompt\":\"JULIET:\"");
  EXPECT_TRUE(batch.mentions("\"stopped_at\"")) << batch.output;
  const ToolResult lines = generate("--max-new-tokens 2 --seed 1", "ROMEO:\nJULIET:\n");
  EXPECT_RESULT(lines, 0, "JULIET:");
  size_t reports = 0;
  for (size_t at = 0; (at = lines.output.find("tokens in", at)) != std::string::npos; ++at) ++reports;
  EXPECT_EQ(reports, 2u) << lines.output;
  // Several samples; a stop string ends the text where it appears.
  EXPECT_RESULT(generate("--prompt ROMEO: --max-new-tokens 3 --seed 2 --num-samples 2"), 0, "--- sample 2 of 2 ---");
  const ToolResult stopped = generate("--prompt ROMEO: --max-new-tokens 40 --ignore-end --seed 3 --stop e");
  EXPECT_RESULT(stopped, 0, "stopped at --stop \"e\"");
  const size_t text_at = stopped.output.find("\nROMEO:") + 1;
  const std::string sample = stopped.output.substr(text_at, stopped.output.find('\n', text_at) - text_at);
  EXPECT_EQ(sample.find('e'), std::string::npos) << stopped.output;
  EXPECT_GT(sample.size(), std::string("ROMEO:").size()) << stopped.output;
  EXPECT_RESULT(generate("--prompt hi --temperature -1"), 2, "--temperature must be >= 0");
  // Hugging Face's repetition penalty, under its name too; 1 changes nothing.
  const ToolResult penalty_one =
      generate("--prompt ROMEO: --max-new-tokens 6 --greedy --ignore-end --repetition-penalty 1");
  EXPECT_EQ(penalty_one.output.substr(0, penalty_one.output.find('\n')),
            greedy.output.substr(0, greedy.output.find('\n')));
  EXPECT_RESULT(generate("--prompt ROMEO: --max-new-tokens 6 --greedy --repetition_penalty 1.3"), 0, "6 tokens in");
  EXPECT_RESULT(generate("--prompt hi --repetition-penalty 0"), 2, "--repetition-penalty must be > 0");
}

// 8. Pictures: a title naming the run and its settings, runs overlaid, PNG that is a PNG.
TEST_F(FirstUse, ChartsHaveTitlesCompareRunsAndRasterise) {
  const std::string metrics = q(cfg() / "run" / "metrics.jsonl");
  const fs::path svg = root() / "curves.svg", cmp = root() / "cmp.svg", png = root() / "curves.png";
  ASSERT_EQ(run_tool("plot " + metrics + " -o " + q(svg)).code, 0);
  EXPECT_NE(read_file(svg).find(">run: 2 layers, d 32, 2 heads"), std::string::npos);
  fs::create_directories(root() / "other_run");
  fs::copy_file(cfg() / "run" / "metrics.jsonl", root() / "other_run" / "metrics.jsonl",
                fs::copy_options::overwrite_existing);
  EXPECT_RESULT(run_tool("plot " + metrics + " " + q(root() / "other_run" / "metrics.jsonl") + " -o " + q(cmp)), 0,
                "wrote");
  EXPECT_NE(read_file(cmp).find(">run vs other_run</text>"), std::string::npos);
  const ToolResult raster = run_tool("plot " + metrics + " -o " + q(png));
  if (raster.code == 0) EXPECT_EQ(read_file(png).substr(1, 3), "PNG");
  else EXPECT_RESULT(raster, 1, "librsvg2-dev");
}

// 9. Quiet surprises made loud.
TEST_F(FirstUse, SurprisesAreNamed) {
  // A .jsonl file is read as JSON lines without --format.
  std::ofstream(cfg() / "docs.jsonl") << R"({"text": "To be or not to be."})"
                                      << "\n"
                                      << R"({"text": "That is the question."})"
                                      << "\n";
  const ToolResult prepared = run_tool_in(cfg().string(),
                                          "prepare docs.jsonl --tokenizer tokenizer.model "
                                          "--output docs --quiet");
  ASSERT_EQ(prepared.code, 0) << prepared.output;
  EXPECT_TRUE(prepared.mentions("2 documents")) << prepared.output;
  // Bad values are usage errors naming the flag, not the library's field.
  EXPECT_RESULT(
      run_tool_in(cfg().string(), "prepare docs.jsonl --tokenizer tokenizer.model --output d --val-fraction 2"), 2,
      "--val-fraction must be in [0, 1)");
  EXPECT_RESULT(run_tool_in(cfg().string(), "prepare docs.jsonl --tokenizer tokenizer.model --output d --format xml"),
                2, "--format must be text or jsonl");
  EXPECT_RESULT(run_tool_in(cfg().string(), "tokenizer train text.txt --vocab-size -5 --output t"), 2,
                "--vocab-size must be between");
  // verify-golden ends with a summary line.
  EXPECT_RESULT(
      run_tool(shell_quote("verify-golden") + " " + shell_quote(std::string(PLDR_TEST_DATA_DIR) + "/golden/tiny.h5")),
      0, "of 362 items pass");
  // eval: no carriage returns in a log, --limit 0 refused, the window of --text explained.
  const std::string out = (root() / "r.json").string();
  const ToolResult eval =
      run_tool_in(other().string(), "eval --checkpoint " + shell_quote(checkpoint()) +
                                        " --tasks arc_easy,truthfulqa_mc2 --limit 3 --output_path " + shell_quote(out) +
                                        " --log_samples --batch_size 2");
  ASSERT_EQ(eval.code, 0) << eval.output;
  EXPECT_EQ(eval.output.find('\r'), std::string::npos);
  EXPECT_TRUE(eval.mentions("truthfulqa_mc2 mc2")) << eval.output;
  const nlohmann::json results = nlohmann::json::parse(read_file(out));
  EXPECT_TRUE(results["results"]["truthfulqa_mc2"].contains("mc2"));
  EXPECT_TRUE(results.contains("date") && results.contains("pldr_version") && results.contains("config"));
  EXPECT_EQ(lines_of(root() / "r.samples.jsonl"), 6u);
  EXPECT_RESULT(run_tool("eval --checkpoint x.h5 --tasks arc_easy -o r.json --limit 0"), 2, "--limit must be positive");
  EXPECT_RESULT(run_tool("eval --checkpoint x.h5 --tasks arc_easy -o r.json --num_fewshot 5"), 2, "zero-shot");
  const ToolResult text =
      run_tool("eval --checkpoint " + shell_quote(checkpoint()) + " --text " + q(cfg() / "docs.jsonl"));
  EXPECT_RESULT(text, 0, "windows of 32 (the training context");
}

// 10. Published folders: a config.json of another transformers version loads; keys that would
// change the maths are refused by name; the export has the files the published folders have.
TEST_F(FirstUse, HuggingFaceFoldersOfOtherVersionsLoadAndExportsAreComplete) {
  const fs::path hf = root() / "hf_newer";
  fs::create_directories(hf);
  nlohmann::json config =
      nlohmann::json::parse(read_file(std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_expected.json"))["config"];
  config.erase("torch_dtype");
  config["dtype"] = "float32";  // as a newer transformers writes it
  config["return_dict"] = true;
  config["frobnication_level"] = 3;
  std::ofstream(hf / "config.json") << config.dump();
  fs::copy_file(std::string(PLDR_TEST_DATA_DIR) + "/hf/tiny_model.safetensors", hf / "model.safetensors");
  const ToolResult loaded = run_tool("generate --hf " + q(hf) + " --ids 2,15,7 --max-new-tokens 2 --seed 1");
  EXPECT_RESULT(loaded, 0, "ignored the keys PLDR-LLM does not know: frobnication_level\n");
  EXPECT_FALSE(loaded.mentions("return_dict")) << loaded.output;
  config["num_key_value_heads"] = 1;
  std::ofstream(hf / "config.json") << config.dump();
  EXPECT_RESULT(run_tool("generate --hf " + q(hf) + " --ids 2,15,7 --max-new-tokens 2"), 1,
                "num_key_value_heads = 1 changes the model's computation");

  const fs::path exported = root() / "exported_full";
  ASSERT_EQ(run_tool("export " + shell_quote(checkpoint()) + " -o " + q(exported)).code, 0);
  const nlohmann::json generation = nlohmann::json::parse(read_file(exported / "generation_config.json"));
  EXPECT_EQ(generation["eos_token_id"], 3);
  const nlohmann::json tokenizer = nlohmann::json::parse(read_file(exported / "tokenizer_config.json"));
  EXPECT_EQ(tokenizer["eos_token"], "[END]");
  EXPECT_EQ(tokenizer["add_bos_token"], false);
  EXPECT_RESULT(run_tool("generate --hf " + q(exported) + " --prompt ROMEO: --max-new-tokens 2 --seed 1"), 0,
                "2 tokens in");
}

}  // namespace
